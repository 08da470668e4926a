/** One client: its history today by hour, resources, chains and live connections. */
import { useMemo } from "preact/hooks";
import { useApp, useT } from "../../app_context.ts";
import type { TrafficColumns } from "../../charts/to_columns.ts";
import { TrafficChart } from "../../components/traffic_chart.tsx";
import { useChartSpec } from "../../components/use_chart_spec.ts";
import { formatBytes, formatExactBytes } from "../../../format_bytes.ts";
import type { MonitoringGroupJson, MonitoringHistoryJson } from "../../../monitoring_api_types.ts";
import { type ClientDetail, hashForClient } from "./client_detail_model.ts";
import { formatDuration } from "./format_time.ts";

/** Chart columns of a history series (zero-filled by the server). */
export function historyColumns(history: MonitoringHistoryJson): TrafficColumns {
  return {
    ts: Float64Array.from(history.series, (p) => p.start),
    up: Float64Array.from(history.series, (p) => p.up_bytes),
    down: Float64Array.from(history.series, (p) => p.down_bytes),
    dropped: new Float64Array(history.series.length),
    labels: history.series.map((p) => p.label),
  };
}

function GroupTable(props: { title: string; rows: readonly MonitoringGroupJson[]; testId: string }) {
  const t = useT();
  const lang = useApp().prefs.lang.value;
  return (
    <div>
      <h3>{props.title}</h3>
      {props.rows.length === 0
        ? <p class="muted">{t("mon_none")}</p>
        : (
          <table class="mon-table" data-testid={props.testId}>
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
                  <td class="wrap">{r.name}</td>
                  <td class="up" title={formatExactBytes(r.up_bytes, lang)}>{formatBytes(r.up_bytes)}</td>
                  <td class="down" title={formatExactBytes(r.down_bytes, lang)}>
                    {formatBytes(r.down_bytes)}
                  </td>
                  <td>{r.connections}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </div>
  );
}

/** Shown while a client is selected; `model.detail` null means loading. */
export function ClientDetailPanel(props: { model: ClientDetail }) {
  const t = useT();
  const { ip, detail, error } = props.model;
  const spec = useChartSpec("stacked-bars", "hour");
  const data = detail.value;
  const columns = useMemo(() => (data ? historyColumns(data.history) : null), [data]);
  if (ip.value === null) return null;
  const nowSec = Date.now() / 1000;
  const title = data?.client.name ? `${data.client.name} (${ip.value})` : ip.value;
  return (
    <section class="panel" data-testid="mon-detail" aria-labelledby="mon-detail-title">
      <header class="panel-header">
        <h2 id="mon-detail-title">{t("mon_detail_title", { name: title })}</h2>
        <a href={hashForClient(null)}>{t("mon_back")}</a>
      </header>
      {error.value && <p class="error" role="alert">{t("load_failed", { message: error.value })}</p>}
      {!data && !error.value && <p class="muted">{t("loading")}</p>}
      {data && spec && columns && (
        <TrafficChart name="monitoring-client" spec={spec} columns={columns} title={t("mon_history_today")} />
      )}
      {data && (
        <div class="two-up">
          <GroupTable title={t("mon_resources")} rows={data.resources} testId="mon-resources" />
          <GroupTable title={t("mon_chains")} rows={data.chains} testId="mon-chains" />
        </div>
      )}
      {data && (
        <div class="mon-scroll">
          <h3>{t("mon_connections")}</h3>
          {data.connections.length === 0
            ? <p class="muted">{t("mon_none")}</p>
            : (
              <table class="mon-table" data-testid="mon-connections">
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
                      <td class="wrap" title={c.rule}>{c.destination}</td>
                      <td class="wrap">{c.chain}</td>
                      <td>{c.network}</td>
                      <td>{c.inbound}</td>
                      <td>{c.start === null ? "—" : formatDuration(nowSec - c.start)}</td>
                      <td class="up">{formatBytes(c.up_bytes)}</td>
                      <td class="down">{formatBytes(c.down_bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </div>
      )}
    </section>
  );
}
