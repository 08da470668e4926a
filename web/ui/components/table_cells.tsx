/**
 * Cells shared by the dashboard's byte tables (top remotes, devices): a sortable column header, a byte count
 * and a share bar. The sort mark is an arrow (↓ heaviest or last first, ↑ the other way), never ▲/▼, which
 * mean upload and download everywhere.
 */
import type { ReadonlySignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import type { ByteFormatter } from "./use_byte_format.ts";

/** The sorting a table's model keeps: the column `K` it sorts by and the direction. */
export interface ColumnSort<K extends string> {
  readonly sortKey: ReadonlySignal<K>;
  readonly isDescending: ReadonlySignal<boolean>;
  sortBy(key: K): void;
}

/** A column header that sorts `sort` by `column`; its button's test id is `<testIdPrefix><column>`. */
export function SortHeader<K extends string>(
  props: {
    sort: ColumnSort<K>;
    column: K;
    testIdPrefix: string;
    class?: string;
    children: ComponentChildren;
  },
) {
  const { sort, column } = props;
  const isSorted = sort.sortKey.value === column;
  const isDescending = sort.isDescending.value;
  return (
    <th
      scope="col"
      class={`sortable ${props.class ?? ""}`}
      aria-sort={isSorted ? (isDescending ? "descending" : "ascending") : undefined}
    >
      <button
        type="button"
        data-testid={`${props.testIdPrefix}${column}`}
        onClick={() => sort.sortBy(column)}
      >
        {props.children}
        <span class="sort-mark" aria-hidden="true">{isSorted ? (isDescending ? "↓" : "↑") : ""}</span>
      </button>
    </th>
  );
}

/** Bytes in a cell, with every byte on hover and the raw count for tests. */
export function BytesCell(props: { fmt: ByteFormatter; bytes: number; label: string; class?: string }) {
  return (
    <td
      class={`num ${props.class ?? ""}`}
      data-label={props.label}
      data-bytes={props.bytes}
      title={props.fmt.exact(props.bytes)}
    >
      {props.fmt.bytes(props.bytes)}
    </td>
  );
}

/** A row's share of the total as a bar split into upload and download, and as a percentage. */
export function ShareCell(
  props: { up: number; down: number; share: number; label: string; percent: Intl.NumberFormat },
) {
  return (
    <td class="share-col" data-label={props.label}>
      <span class="share" aria-hidden="true">
        <span class="share-bar" style={{ width: `${Math.min(100, props.share * 100)}%` }}>
          <span class="up-part" style={{ flexGrow: props.up }} />
          <span class="down-part" style={{ flexGrow: props.down }} />
        </span>
      </span>
      <span class="share-text">{props.percent.format(props.share)}</span>
    </td>
  );
}
