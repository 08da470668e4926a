/** Top 10 remote IPs of the applied range: share bars, gold/silver/bronze marks for the first three. */
import { useApp, useT } from "../app_context.ts";
import { formatBytes, formatExactBytes } from "../../format_bytes.ts";
import type { Range } from "../models/range_model.ts";

const MEDALS = ["gold", "silver", "bronze"] as const;

/** The table for `range.topIps`; shares are of the range's total public bytes. */
export function TopIpsTable(props: { range: Range }) {
  const t = useT();
  const lang = useApp().prefs.lang.value;
  const rows = props.range.topIps.value;
  const applied = props.range.applied.value;
  const totalBytes = props.range.result.value?.summary.total_bytes ?? 0;
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  return (
    <section class="panel" aria-labelledby="top-ips-title">
      <header class="panel-header">
        <h2 id="top-ips-title">{t("top_ips_title")}</h2>
        {applied && (
          <span class="muted">{t("top_ips_range", { start: applied.start, end: applied.end })}</span>
        )}
      </header>
      {rows && rows.length === 0 && <p class="muted">{t("top_ips_empty")}</p>}
      {rows && rows.length > 0 && (
        <table class="top-ips" data-testid="top-ips">
          <thead>
            <tr>
              <th scope="col">{t("top_ips_rank")}</th>
              <th scope="col">{t("top_ips_ip")}</th>
              <th scope="col">{t("top_ips_bytes")}</th>
              <th scope="col" class="share-col">{t("top_ips_share")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const share = totalBytes > 0 ? row.bytes / totalBytes : 0;
              return (
                <tr key={row.ip}>
                  <td>
                    <span class={`rank ${MEDALS[i] ?? ""}`}>{i + 1}</span>
                  </td>
                  <td class="ip">{row.ip}</td>
                  <td title={formatExactBytes(row.bytes, lang)}>{formatBytes(row.bytes)}</td>
                  <td class="share-col">
                    <span
                      class="share"
                      title={`▲ ${formatBytes(row.up_bytes)}  ▼ ${formatBytes(row.down_bytes)}`}
                    >
                      <span class="share-bar" style={{ width: `${Math.min(100, share * 100)}%` }}>
                        <span class="up-part" style={{ flexGrow: row.up_bytes }} />
                        <span class="down-part" style={{ flexGrow: row.down_bytes }} />
                      </span>
                    </span>
                    <span class="share-text">{percent.format(share)}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
