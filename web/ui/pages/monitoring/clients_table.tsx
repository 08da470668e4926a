/** The clients of today (online first by default): sortable columns, names editable in place, IP opens detail. */
import { useState } from "preact/hooks";
import { useApp, useT } from "../../app_context.ts";
import type { MessageKey } from "../../i18n/i18n.ts";
import { formatBytes, formatExactBytes } from "../../../format_bytes.ts";
import type { MonitoringClientJson } from "../../../monitoring_api_types.ts";
import { hashForClient } from "./client_detail_model.ts";
import { formatDuration, formatTime } from "./format_time.ts";
import type { ClientSortKey, Monitoring } from "./monitoring_model.ts";

const COLUMNS: readonly [ClientSortKey, MessageKey][] = [
  ["name", "mon_col_name"],
  ["ip", "mon_col_ip"],
  ["last_seen", "mon_col_status"],
  ["active", "mon_col_active"],
  ["up", "upload"],
  ["down", "download"],
];

/** Inline editor of one client's name. */
function NameCell(props: { client: MonitoringClientJson; onSave: (name: string) => Promise<void> }) {
  const t = useT();
  const [draft, setDraft] = useState<string | null>(null);
  if (draft === null) {
    return (
      <td class="mon-name">
        {props.client.name ?? <span class="muted">—</span>}{" "}
        <button
          type="button"
          class="button"
          data-testid="mon-rename"
          onClick={() => setDraft(props.client.name ?? "")}
        >
          {t("mon_rename")}
        </button>
      </td>
    );
  }
  const save = async () => {
    await props.onSave(draft);
    setDraft(null);
  };
  return (
    <td class="mon-name">
      <input
        value={draft}
        maxLength={64}
        placeholder={t("mon_name_placeholder")}
        aria-label={t("mon_col_name")}
        data-testid="mon-name-input"
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") save();
          if (e.key === "Escape") setDraft(null);
        }}
      />{" "}
      <button type="button" class="button primary" data-testid="mon-save" onClick={save}>
        {t("mon_save")}
      </button>
    </td>
  );
}

/** The table of `model.sorted`. */
export function ClientsTable(props: { model: Monitoring }) {
  const t = useT();
  const { prefs, health } = useApp();
  const lang = prefs.lang.value;
  const zone = health.timeZone.value;
  const { sorted, sortKey, isDescending, sortBy, rename, renameError, clients } = props.model;
  return (
    <section class="panel" aria-labelledby="mon-clients-title">
      <header class="panel-header">
        <h2 id="mon-clients-title">{t("monitoring_title")}</h2>
        <span class="muted">{t("mon_clients_hint")}</span>
      </header>
      {renameError.value && (
        <p class="error" role="alert">{t("mon_rename_failed", { message: renameError.value })}</p>
      )}
      {clients.value && clients.value.length === 0 && <p class="muted">{t("mon_clients_empty")}</p>}
      {sorted.value.length > 0 && (
        <div class="mon-scroll">
          <table class="mon-table" data-testid="mon-clients">
            <thead>
              <tr>
                {COLUMNS.map(([key, label]) => (
                  <th
                    scope="col"
                    key={key}
                    aria-sort={sortKey.value === key
                      ? (isDescending.value ? "descending" : "ascending")
                      : undefined}
                  >
                    <button type="button" data-testid={`mon-sort-${key}`} onClick={() => sortBy(key)}>
                      {t(label)} {sortKey.value === key ? (isDescending.value ? "▼" : "▲") : ""}
                    </button>
                  </th>
                ))}
                <th scope="col">{t("mon_col_duration")}</th>
                <th scope="col">{t("mon_chains")}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.value.map((c) => (
                <tr key={c.ip} data-ip={c.ip}>
                  <NameCell client={c} onSave={(name) => rename(c.ip, name)} />
                  <td class="ip">
                    <a href={hashForClient(c.ip)}>{c.ip}</a>
                  </td>
                  <td>
                    <span class={`mon-dot ${c.online ? "online" : ""}`} />
                    {c.online
                      ? t("mon_online")
                      : c.last_seen
                      ? formatTime(c.last_seen, zone)
                      : t("mon_offline")}
                  </td>
                  <td>{c.active_connections}</td>
                  <td class="up" title={formatExactBytes(c.up_bytes, lang)}>{formatBytes(c.up_bytes)}</td>
                  <td class="down" title={formatExactBytes(c.down_bytes, lang)}>
                    {formatBytes(c.down_bytes)}
                  </td>
                  <td>
                    {c.connection_duration_sec === null ? "—" : formatDuration(c.connection_duration_sec)}
                  </td>
                  <td class="wrap">{c.chains.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted" hidden={sorted.value.length === 0}>{t("mon_nat_note")}</p>
    </section>
  );
}
