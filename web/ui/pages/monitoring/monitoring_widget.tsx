/** Dashboard widget: the proxy core's current speed and active connections, linking to the Monitoring page. */
import { createModel, effect, signal, useModel } from "@preact/signals";
import { getJson } from "../../api.ts";
import { useApp, useT } from "../../app_context.ts";
import { formatRate } from "../../../format_bytes.ts";
import { poll } from "../../models/poll.ts";
import type { MonitoringOverviewJson } from "../../../monitoring_api_types.ts";
import { clashOfHealth } from "./clash_health.ts";

const WIDGET_INTERVAL_MS = 5_000;

/** Polls the overview; stays null while Clash is not configured or unreachable from the server. */
const WidgetModel = createModel(() => {
  const overview = signal<MonitoringOverviewJson | null>(null);
  effect(() =>
    poll(WIDGET_INTERVAL_MS, async () => {
      try {
        overview.value = await getJson<MonitoringOverviewJson>("/api/monitoring/overview");
      } catch {
        // The widget is optional: on a failed call it hides until the next answer.
        overview.value = null;
      }
    })
  );
  return { overview };
});

/** Renders nothing unless /api/health shows a Clash part; only then is the overview polled. */
export function MonitoringWidget() {
  return clashOfHealth(useApp().health.health.value) ? <Widget /> : null;
}

function Widget() {
  const t = useT();
  const o = useModel(WidgetModel).overview.value;
  if (o === null || o.status.state === "not_configured") return null;
  return (
    <section class="panel" data-testid="mon-widget">
      <header class="panel-header">
        <h2>{t("mon_widget_title")}</h2>
        <a href="#/monitoring">{t("mon_widget_link")}</a>
      </header>
      <p class="card-detail">
        <span class="up">▲ {o.rate ? formatRate(o.rate.up_Bps) : "—"}</span>{" "}
        <span class="down">▼ {o.rate ? formatRate(o.rate.down_Bps) : "—"}</span>{" "}
        <span>{t("mon_widget_connections", { count: o.active_connections })}</span>
      </p>
    </section>
  );
}
