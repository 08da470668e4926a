/**
 * One client over the page's range, in a dialog above the page (opening it moves nothing): its history,
 * resources, chains and live connections; cards on phones.
 */
import { useApp, useT } from "../../app_context.ts";
import { useByteFormat } from "../../components/use_byte_format.ts";
import type { MessageKey } from "../../i18n/i18n.ts";
import type { MonitoringGroupJson } from "../../../monitoring_api_types.ts";
import type { ClientDetail } from "./client_detail_model.ts";
import { formatDuration } from "./format_time.ts";
import { HistoryChart } from "./history_panel.tsx";
import { Modal } from "./modal.tsx";
import type { MonitoringView } from "./monitoring_view_model.ts";
import { HostText } from "./table_parts.tsx";

function GroupTable(props: { title: string; rows: readonly MonitoringGroupJson[]; testId: string }) {
  const t = useT();
  const bytes = useByteFormat();
  return (
    <div>
      <h3>{props.title}</h3>
      {props.rows.length === 0
        ? <p class="muted">{t("mon_none")}</p>
        : (
          <table class="mon-table mon-cards" data-testid={props.testId}>
            <thead>
              <tr>
                <th scope="col">{props.title}</th>
                <th scope="col">{t("upload")}</th>
                <th scope="col">{t("download")}</th>
                <th scope="col">{t("mon_col_new_connections")}</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr key={r.name}>
                  <td class="mon-lead">
                    <HostText text={r.name} />
                  </td>
                  <td data-label={t("upload")} class="up" title={bytes.exact(r.up_bytes)}>
                    {bytes.bytes(r.up_bytes)}
                  </td>
                  <td data-label={t("download")} class="down" title={bytes.exact(r.down_bytes)}>
                    {bytes.bytes(r.down_bytes)}
                  </td>
                  <td data-label={t("mon_col_new_connections")}>{r.connections}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </div>
  );
}

/** Open while the page's address names a client; `model.detail` null means loading. */
export function ClientDetailDialog(props: { model: ClientDetail; view: MonitoringView }) {
  const t = useT();
  const lang = useApp().prefs.lang.value;
  const bytes = useByteFormat();
  const { model, view } = props;
  const ip = model.ip.value;
  const range = view.range.value;
  const data = model.detail.value;
  const error = model.error.value;
  if (ip === null) return null;
  const nowSec = Date.now() / 1000;
  const title = data?.client.name ? `${data.client.name} (${ip})` : ip;
  const cell = (key: MessageKey) => ({ "data-label": t(key) });
  return (
    <Modal labelledBy="mon-detail-title" onClose={view.closeClient} testId="mon-detail" wide>
      <header class="panel-header">
        <h2 id="mon-detail-title">
          <HostText text={t("mon_detail_title", { name: title })} />
        </h2>
        <button type="button" data-testid="mon-detail-close" onClick={view.closeClient}>
          {t("mon_back")}
        </button>
      </header>
      {error && <p class="error" role="alert">{t("load_failed", { message: error })}</p>}
      {!data && !error && <p class="muted">{t("loading")}</p>}
      {data && range && (
        <HistoryChart
          name="monitoring-client"
          history={data.history}
          title={t("range_chart", { start: range.start, end: range.end })}
        />
      )}
      {data && (
        <div class="two-up">
          <GroupTable title={t("mon_resources")} rows={data.resources} testId="mon-resources" />
          <GroupTable title={t("mon_chains")} rows={data.chains} testId="mon-chains" />
        </div>
      )}
      {data && (
        <div>
          <h3>{t("mon_connections")}</h3>
          {data.connections.length === 0
            ? <p class="muted">{t("mon_none")}</p>
            : (
              <table class="mon-table mon-cards" data-testid="mon-connections">
                <thead>
                  <tr>
                    <th scope="col">{t("mon_col_destination")}</th>
                    <th scope="col">{t("mon_col_chain")}</th>
                    <th scope="col">{t("mon_col_network")}</th>
                    <th scope="col">{t("mon_col_inbound")}</th>
                    <th scope="col">{t("mon_col_duration")}</th>
                    <th scope="col">{t("upload")}</th>
                    <th scope="col">{t("download")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.connections.map((c) => (
                    <tr key={c.id}>
                      <td class="mon-lead" title={c.rule}>
                        <HostText text={c.destination} />
                      </td>
                      <td {...cell("mon_col_chain")}>{c.chain}</td>
                      <td {...cell("mon_col_network")}>{c.network}</td>
                      <td {...cell("mon_col_inbound")}>{c.inbound}</td>
                      <td {...cell("mon_col_duration")}>
                        {c.start === null ? "—" : formatDuration(nowSec - c.start, lang)}
                      </td>
                      <td {...cell("upload")} class="up">{bytes.bytes(c.up_bytes)}</td>
                      <td {...cell("download")} class="down">{bytes.bytes(c.down_bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </div>
      )}
    </Modal>
  );
}
