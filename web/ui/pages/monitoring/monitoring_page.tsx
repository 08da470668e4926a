/**
 * Route "/monitoring": proxy clients behind a sing-box or mihomo core (issue 5, issue 13 "on par with the
 * Clash dashboards"). The live chart and the connections table come from the relayed streams; the overview,
 * the history and clients of the chosen range, and the client open in detail are polled.
 */
import { useModel } from "@preact/signals";
import { useApp, useT } from "../../app_context.ts";
import { useByteFormat } from "../../components/use_byte_format.ts";
import { clashOfHealth } from "./clash_health.ts";
import { ClientDetailDialog } from "./client_detail.tsx";
import { ClientDetailModel } from "./client_detail_model.ts";
import { ClientsTable } from "./clients_table.tsx";
import { ConnectionsTable } from "./connections_table.tsx";
import { HistoryPanel } from "./history_panel.tsx";
import { LiveChart } from "./live_chart.tsx";
import { LiveConnectionsModel } from "./live_connections_model.ts";
import { LiveTrafficModel } from "./live_traffic_model.ts";
import { type Monitoring, MonitoringModel } from "./monitoring_model.ts";
import { MonitoringViewModel } from "./monitoring_view_model.ts";
import { NotConfigured } from "./not_configured.tsx";

function OverviewCards(props: { model: Monitoring }) {
  const t = useT();
  const bytes = useByteFormat();
  const o = props.model.overview.value;
  const isConnected = o?.status.state === "connected";
  const unattributed = o ? o.today.unattributed_up_bytes + o.today.unattributed_down_bytes : null;
  const today = o ? o.today.up_bytes + o.today.down_bytes : null;
  return (
    <div class="cards">
      <section class="card" data-testid="mon-rate">
        <h2>{t("mon_rate")}</h2>
        <p class="card-detail">
          <span class="up">▲ {o?.rate && isConnected ? bytes.rate(o.rate.up_Bps) : "—"}</span>{" "}
          <span class="down">▼ {o?.rate && isConnected ? bytes.rate(o.rate.down_Bps) : "—"}</span>
        </p>
      </section>
      <section class="card" data-testid="mon-active">
        <h2>{t("mon_active_connections")}</h2>
        <p class="card-value">{isConnected ? o.active_connections : "—"}</p>
      </section>
      <section class="card" data-testid="mon-online">
        <h2>{t("mon_online_clients")}</h2>
        <p class="card-value">{isConnected ? o.online_clients : "—"}</p>
      </section>
      <section class="card" data-testid="mon-today" data-bytes={today ?? ""}>
        <h2>{t("mon_today")}</h2>
        <p class="card-value" title={today === null ? undefined : bytes.exact(today)}>
          {today === null ? "—" : bytes.bytes(today)}
        </p>
        {o && (
          <p class="card-detail">
            <span class="up">▲ {bytes.bytes(o.today.up_bytes)}</span>{" "}
            <span class="down">▼ {bytes.bytes(o.today.down_bytes)}</span>
          </p>
        )}
      </section>
      <section class="card" data-testid="mon-unattributed" title={t("mon_unattributed_help")}>
        <h2>{t("mon_unattributed")}</h2>
        <p class="card-value">{unattributed === null ? "—" : bytes.bytes(unattributed)}</p>
      </section>
    </div>
  );
}

/** The page: an explanation without a Clash part, else the monitoring views. */
export function MonitoringPage() {
  const t = useT();
  const clash = clashOfHealth(useApp().health.health.value);
  return (
    <div class="mon-page" data-testid="monitoring-page">
      {clash === undefined && <p class="muted">{t("loading")}</p>}
      {clash === null && <NotConfigured />}
      {clash && <Monitoring />}
    </div>
  );
}

/** The views; their models (polls, the relay WebSockets) live while it is shown. */
function Monitoring() {
  const t = useT();
  const { health, session } = useApp();
  const view = useModel(() => new MonitoringViewModel(health.timeZone));
  const model = useModel(() => new MonitoringModel(view.range));
  const live = useModel(LiveTrafficModel);
  const connections = useModel(() => new LiveConnectionsModel(model.names, model.isConnected));
  const detail = useModel(() => new ClientDetailModel(view.client, view.range));
  const isConnected = model.isConnected.value;
  if (model.isConfigured.value === false) return <NotConfigured />;
  return (
    <>
      {model.error.value && (
        <p class="error" role="alert">{t("load_failed", { message: model.error.value })}</p>
      )}
      <OverviewCards model={model} />
      <section class="panel" data-testid="mon-live">
        <header class="panel-header">
          <h2>{t("mon_live_title")}</h2>
          {isConnected && (
            <span class="muted">{live.isLive.value ? t("mon_live_on") : t("mon_live_off")}</span>
          )}
        </header>
        <LiveChart live={live} />
      </section>
      <HistoryPanel model={model} view={view} />
      <ClientsTable model={model} view={view} />
      <ConnectionsTable model={connections} names={model.names.value} canClose={session.canLogOut.value} />
      <ClientDetailDialog model={detail} view={view} />
    </>
  );
}
