/**
 * Pieces shared by the Monitoring page's tables: sortable column headers (the dashboard's SortHeader, whose
 * ↓/↑ mark never reads as upload/download) and host text that wraps whole.
 */
import { Fragment } from "preact";
import { useT } from "../../app_context.ts";
import { type ColumnSort, SortHeader } from "../../components/table_cells.tsx";
import type { MessageKey } from "../../i18n/i18n.ts";

/** A SortHeader for each of `columns` (its key and label first); test ids are `<testIdPrefix><key>`. */
export function SortHeaders<K extends string>(props: {
  columns: readonly (readonly [K, MessageKey, ...unknown[]])[];
  sort: ColumnSort<K>;
  testIdPrefix: string;
}) {
  const t = useT();
  const { sort } = props;
  return (
    <>
      {props.columns.map(([key, label]) => (
        <SortHeader key={key} sort={sort} column={key} testIdPrefix={props.testIdPrefix}>
          {t(label)}
        </SortHeader>
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
