/**
 * Route "/monitoring": proxy clients behind a sing-box or mihomo core (issue 5). The live chart comes from the
 * relayed `/traffic` stream; overview, clients and the selected client's detail are polled.
 */
import { useModel } from "@preact/signals";
import { useApp, useT } from "../../app_context.ts";
import { formatBytes, formatExactBytes, formatRate } from "../../../format_bytes.ts";
import { ClientDetailPanel } from "./client_detail.tsx";
import { ClientDetailModel } from "./client_detail_model.ts";
import { ClientsTable } from "./clients_table.tsx";
import { LiveChart } from "./live_chart.tsx";
import { LiveTrafficModel } from "./live_traffic_model.ts";
import { type Monitoring, MonitoringModel } from "./monitoring_model.ts";
import { NotConfigured, StatusBanner } from "./status_banner.tsx";
import { clashOfHealth } from "./clash_health.ts";

function OverviewCards(props: { model: Monitoring }) {
  const t = useT();
  const lang = useApp().prefs.lang.value;
  const o = props.model.overview.value;
  const unattributed = o ? o.today.unattributed_up_bytes + o.today.unattributed_down_bytes : null;
  return (
    <div class="cards">
      <section class="card" data-testid="mon-rate">
        <h2>{t("mon_rate")}</h2>
        <p class="card-detail">
          <span class="up">▲ {o?.rate ? formatRate(o.rate.up_Bps) : "—"}</span>{" "}
          <span class="down">▼ {o?.rate ? formatRate(o.rate.down_Bps) : "—"}</span>
        </p>
      </section>
      <section class="card" data-testid="mon-active">
        <h2>{t("mon_active_connections")}</h2>
        <p class="card-value">{o?.active_connections ?? "—"}</p>
      </section>
      <section class="card" data-testid="mon-online">
        <h2>{t("mon_online_clients")}</h2>
        <p class="card-value">{o?.online_clients ?? "—"}</p>
      </section>
      <section
        class="card"
        data-testid="mon-today"
        data-bytes={o ? o.today.up_bytes + o.today.down_bytes : ""}
      >
        <h2>{t("mon_today")}</h2>
        <p
          class="card-value"
          title={o ? formatExactBytes(o.today.up_bytes + o.today.down_bytes, lang) : undefined}
        >
          {o ? formatBytes(o.today.up_bytes + o.today.down_bytes) : "—"}
        </p>
        {o && (
          <p class="card-detail">
            <span class="up">▲ {formatBytes(o.today.up_bytes)}</span>{" "}
            <span class="down">▼ {formatBytes(o.today.down_bytes)}</span>
          </p>
        )}
      </section>
      <section class="card" data-testid="mon-unattributed" title={t("mon_unattributed_help")}>
        <h2>{t("mon_unattributed")}</h2>
        <p class="card-value">{unattributed === null ? "—" : formatBytes(unattributed)}</p>
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

/** The views; their models (polls, the live WebSocket) live while it is shown. */
function Monitoring() {
  const t = useT();
  const model = useModel(MonitoringModel);
  const live = useModel(LiveTrafficModel);
  const detail = useModel(ClientDetailModel);
  const status = model.overview.value?.status;
  if (model.isConfigured.value === false) return <NotConfigured />;
  return (
    <>
      {model.error.value && (
        <p class="error" role="alert">{t("load_failed", { message: model.error.value })}</p>
      )}
      {status && <StatusBanner status={status} />}
      <OverviewCards model={model} />
      <section class="panel" data-testid="mon-live">
        <header class="panel-header">
          <h2>{t("mon_live_title")}</h2>
          <span class="muted">{live.isLive.value ? t("mon_live_on") : t("mon_live_off")}</span>
        </header>
        <LiveChart live={live} />
      </section>
      <ClientDetailPanel model={detail} />
      <ClientsTable model={model} />
    </>
  );
}
