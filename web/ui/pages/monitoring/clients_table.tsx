/**
 * The clients of the page's range (online first by default): sortable columns, the name edited in its own
 * cell (click or Enter on it), the IP opens the client's detail over the page without moving it; cards on
 * phones.
 */
import { useApp, useT } from "../../app_context.ts";
import { NameCell } from "../../components/name_cell.tsx";
import { useByteFormat } from "../../components/use_byte_format.ts";
import type { MessageKey } from "../../i18n/i18n.ts";
import { formatDuration, formatTime } from "./format_time.ts";
import type { ClientSortKey, Monitoring } from "./monitoring_model.ts";
import type { MonitoringView } from "./monitoring_view_model.ts";
import { HostText, SortHeaders } from "./table_parts.tsx";

const COLUMNS: readonly [ClientSortKey, MessageKey][] = [
  ["name", "mon_col_name"],
  ["ip", "mon_col_ip"],
  ["last_seen", "mon_col_status"],
  ["active", "mon_col_active"],
  ["up", "upload"],
  ["down", "download"],
];

/** The table of `model.sorted`. */
export function ClientsTable(props: { model: Monitoring; view: MonitoringView }) {
  const t = useT();
  const { prefs, health } = useApp();
  const lang = prefs.lang.value;
  const zone = health.timeZone.value;
  const bytes = useByteFormat();
  const { model, view } = props;
  const { sorted, renameError, clients } = model;
  const range = view.range.value;
  const cell = (key: MessageKey) => ({ "data-label": t(key) });
  return (
    <section class="panel" aria-labelledby="mon-clients-title">
      <header class="panel-header">
        <h2 id="mon-clients-title">{t("monitoring_title")}</h2>
        {range && <span class="muted">{t("top_ips_range", { start: range.start, end: range.end })}</span>}
      </header>
      {renameError.value && (
        <p class="error" role="alert">{t("mon_rename_failed", { message: renameError.value })}</p>
      )}
      {clients.value && clients.value.length === 0 && <p class="muted">{t("mon_clients_empty")}</p>}
      {sorted.value.length > 0 && (
        <table class="mon-table mon-cards" data-testid="mon-clients">
          <thead>
            <tr>
              <SortHeaders columns={COLUMNS} sort={model} testIdPrefix="mon-sort-" />
              <th scope="col">{t("mon_col_duration")}</th>
              <th scope="col">{t("mon_chains")}</th>
            </tr>
          </thead>
          <tbody>
            {sorted.value.map((c) => (
              <tr key={c.ip} data-ip={c.ip}>
                <NameCell
                  name={c.name}
                  unnamedText={t("mon_unnamed")}
                  label={t("mon_rename", { ip: c.ip })}
                  placeholder={t("mon_name_placeholder")}
                  testId="mon-name"
                  class="mon-lead"
                  dataLabel={t("mon_col_name")}
                  onSave={(name) => model.rename(c.ip, name)}
                />
                <td {...cell("mon_col_ip")} class="ip">
                  <a
                    href={view.hashForClient(c.ip)}
                    onClick={(e) => {
                      e.preventDefault();
                      view.openClient(c.ip);
                    }}
                  >
                    <HostText text={c.ip} />
                  </a>
                </td>
                <td {...cell("mon_col_status")}>
                  <span class={`mon-dot ${c.online ? "online" : ""}`} />
                  {c.online
                    ? t("mon_online")
                    : c.last_seen
                    ? formatTime(c.last_seen, zone)
                    : t("mon_offline")}
                </td>
                <td {...cell("mon_col_active")}>{c.active_connections}</td>
                <td {...cell("upload")} class="up" title={bytes.exact(c.up_bytes)}>
                  {bytes.bytes(c.up_bytes)}
                </td>
                <td {...cell("download")} class="down" title={bytes.exact(c.down_bytes)}>
                  {bytes.bytes(c.down_bytes)}
                </td>
                <td {...cell("mon_col_duration")}>
                  {c.connection_duration_sec === null ? "—" : formatDuration(c.connection_duration_sec, lang)}
                </td>
                <td {...cell("mon_chains")}>{c.chains.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted" hidden={sorted.value.length === 0}>{t("mon_nat_note")}</p>
    </section>
  );
}
