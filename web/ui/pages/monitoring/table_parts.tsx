/** Pieces shared by the Monitoring page's tables: sortable column headers and host text that wraps whole. */
import { Fragment } from "preact";

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
