/** What the Clash connection needs, in the reader's language, with the server's exact words underneath. */
import { useT } from "../../app_context.ts";
import type { MessageKey } from "../../i18n/i18n.ts";
import type { ClashStatusJson } from "../../../api_types.ts";

const STATE_KEYS: Record<ClashStatusJson["state"], MessageKey> = {
  not_configured: "mon_not_configured_title",
  connecting: "mon_state_connecting",
  connected: "mon_state_connected",
  unauthorized: "mon_state_unauthorized",
  unreachable: "mon_state_unreachable",
  incompatible: "mon_state_incompatible",
};

/** Shown unless connected. */
export function StatusBanner(props: { status: ClashStatusJson }) {
  const t = useT();
  const { status } = props;
  if (status.state === "connected") return null;
  return (
    <div class="mon-banner" role="status" data-testid="mon-status">
      <strong>{t(STATE_KEYS[status.state])}</strong>
      <span class="muted">{status.message}</span>
    </div>
  );
}

const ENV_EXAMPLE = "CLASH_API_URL=http://127.0.0.1:9090\nCLASH_SECRET=…";

/** The explanation when CLASH_API_URL is unset. */
export function NotConfigured() {
  const t = useT();
  return (
    <section class="panel" data-testid="mon-not-configured">
      <header class="panel-header">
        <h2>{t("mon_not_configured_title")}</h2>
      </header>
      <p>{t("mon_not_configured_help")}</p>
      <pre class="mon-code">{ENV_EXAMPLE}</pre>
    </section>
  );
}
