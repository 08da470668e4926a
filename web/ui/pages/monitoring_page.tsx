/** Route "/monitoring": placeholder until the proxy-client page of the Clash issue replaces it. */
import { useT } from "../app_context.ts";

/** A panel saying what will be here. */
export function MonitoringPage() {
  const t = useT();
  return (
    <section class="panel" data-testid="monitoring-page">
      <header class="panel-header">
        <h2>{t("monitoring_title")}</h2>
      </header>
      <p class="muted">{t("monitoring_placeholder")}</p>
    </section>
  );
}
