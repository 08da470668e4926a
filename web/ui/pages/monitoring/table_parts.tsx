/** Pieces shared by the Monitoring page's tables: sortable column headers and host text that wraps whole. */
import { Fragment } from "preact";
import type { ReadonlySignal } from "@preact/signals";
import { useT } from "../../app_context.ts";
import type { MessageKey } from "../../i18n/i18n.ts";

/** A column header that sorts by its column; the active one shows its direction (▲ ascending, ▼ descending). */
export function SortHeader(props: {
  label: string;
  isActive: boolean;
  isDescending: boolean;
  onSort: () => void;
  testId: string;
}) {
  const { isActive, isDescending } = props;
  return (
    <th scope="col" aria-sort={isActive ? (isDescending ? "descending" : "ascending") : undefined}>
      <button type="button" class="mon-sort" data-testid={props.testId} onClick={props.onSort}>
        {props.label}
        {isActive && <span aria-hidden="true">{isDescending ? "▼" : "▲"}</span>}
      </button>
    </th>
  );
}

/** The sorting a table's model keeps: the column `K` it sorts by and the direction. */
export interface TableSort<K extends string> {
  readonly sortKey: ReadonlySignal<K>;
  readonly isDescending: ReadonlySignal<boolean>;
  sortBy(key: K): void;
}

/** A SortHeader for each of `columns` (its key and label first); test ids are `<testIdPrefix><key>`. */
export function SortHeaders<K extends string>(props: {
  columns: readonly (readonly [K, MessageKey, ...unknown[]])[];
  sort: TableSort<K>;
  testIdPrefix: string;
}) {
  const t = useT();
  const { sort } = props;
  return (
    <>
      {props.columns.map(([key, label]) => (
        <SortHeader
          key={key}
          label={t(label)}
          isActive={sort.sortKey.value === key}
          isDescending={sort.isDescending.value}
          onSort={() => sort.sortBy(key)}
          testId={`${props.testIdPrefix}${key}`}
        />
      ))}
    </>
  );
}

/** Pieces that end after ".", ":", "/" or "-": a host or address breaks only there, never inside a label. */
const PIECE_REGEXP = /[^.:/-]*[.:/-]|[^.:/-]+$/g;

/** `text` (a host, destination or IP) with line-break opportunities between its labels only. */
export function HostText(props: { text: string }) {
  const parts = props.text.match(PIECE_REGEXP) ?? [];
  return (
    <span class="mon-host">
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
