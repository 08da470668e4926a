/**
 * Dashboard widget: the proxy core's current speed and active connections, and today's busiest clients by
 * their names, linking to the Monitoring page. It states no problem of the core: the status strip does.
 */
import { createModel, effect, signal, useModel } from "@preact/signals";
import { getJson } from "../../api.ts";
import { useApp, useT } from "../../app_context.ts";
import { useByteFormat } from "../../components/use_byte_format.ts";
import { poll } from "../../models/poll.ts";
import type {
  MonitoringClientJson,
  MonitoringClientsJson,
  MonitoringOverviewJson,
} from "../../../monitoring_api_types.ts";
import { clashOfHealth } from "./clash_health.ts";

const WIDGET_INTERVAL_MS = 5_000;
const TOP_CLIENTS = 3;

/** Polls the overview and today's clients; null while Clash is not configured or the call failed. */
const WidgetModel = createModel(() => {
  const overview = signal<MonitoringOverviewJson | null>(null);
  const clients = signal<readonly MonitoringClientJson[]>([]);
  effect(() =>
    poll(WIDGET_INTERVAL_MS, async () => {
      try {
        const [next, today] = await Promise.all([
          getJson<MonitoringOverviewJson>("/api/monitoring/overview"),
          getJson<MonitoringClientsJson>("/api/monitoring/clients"),
        ]);
        overview.value = next;
        // The server lists online clients first, then the heaviest.
        clients.value = today.clients.slice(0, TOP_CLIENTS);
      } catch {
        // The widget is optional: on a failed call it hides until the next answer.
        overview.value = null;
      }
    })
  );
  return { overview, clients };
});

/** Renders nothing unless /api/health shows a Clash part; only then is the overview polled. */
export function MonitoringWidget() {
  return clashOfHealth(useApp().health.health.value) ? <Widget /> : null;
}

function Widget() {
  const t = useT();
  const bytes = useByteFormat();
  const { overview, clients } = useModel(WidgetModel);
  const o = overview.value;
  if (o === null || o.status.state === "not_configured") return null;
  const isConnected = o.status.state === "connected";
  return (
    <section class="panel" data-testid="mon-widget">
      <header class="panel-header">
        <h2>{t("mon_widget_title")}</h2>
        <a href="#/monitoring">{t("mon_widget_link")}</a>
      </header>
      <p class="card-detail">
        <span class="up">▲ {o.rate && isConnected ? bytes.rate(o.rate.up_Bps) : "—"}</span>{" "}
        <span class="down">▼ {o.rate && isConnected ? bytes.rate(o.rate.down_Bps) : "—"}</span>{" "}
        <span>{t("mon_widget_connections", { count: isConnected ? o.active_connections : "—" })}</span>
      </p>
      {clients.value.length > 0 && (
        <ul class="mon-widget-clients" aria-label={t("mon_widget_top")}>
          {clients.value.map((c) => (
            <li key={c.ip} data-ip={c.ip}>
              <span class={`mon-dot ${c.online ? "online" : ""}`} />
              <span class="mon-widget-name">{c.name ?? c.ip}</span>{" "}
              <span class="down">▼ {bytes.bytes(c.down_bytes)}</span>{" "}
              <span class="up">▲ {bytes.bytes(c.up_bytes)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
