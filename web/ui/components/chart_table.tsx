/** A chart's numbers as a table ("show as table"): one row per drawn period, up, down and total. */
import { useT } from "../app_context.ts";
import type { TrafficColumns } from "../charts/to_columns.ts";
import { useByteFormat } from "./use_byte_format.ts";

/** Rows of `columns` up to now; periods before the first count read "no data". `onOpen` drills into one. */
export function ChartTable(
  props: { columns: TrafficColumns; caption: string; onOpen?: (i: number) => void },
) {
  const t = useT();
  const fmt = useByteFormat();
  const { columns, onOpen } = props;
  const firstKnown = columns.firstKnown ?? 0;
  const rows = Array.from({ length: columns.futureFrom ?? columns.ts.length }, (_, i) => i);
  const bytes = (i: number, value: number) => (i < firstKnown ? "—" : fmt.bytes(value));
  return (
    <div class="chart-table">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("chart_period")}</th>
            <th scope="col" class="up">▲ {t("upload")}</th>
            <th scope="col" class="down">▼ {t("download")}</th>
            <th scope="col">{t("total")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i) => {
            const label = columns.labels[i];
            return (
              <tr key={columns.ts[i]}>
                <th scope="row">
                  {onOpen
                    ? (
                      <button
                        type="button"
                        class="link"
                        onClick={() => onOpen(i)}
                        title={t("chart_drill", { period: label })}
                      >
                        {label}
                      </button>
                    )
                    : label}
                  {i < firstKnown && <span class="muted">· {t("chart_no_data")}</span>}
                </th>
                <td>{bytes(i, columns.up[i])}</td>
                <td>{bytes(i, columns.down[i])}</td>
                <td>{bytes(i, columns.up[i] + columns.down[i])}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
