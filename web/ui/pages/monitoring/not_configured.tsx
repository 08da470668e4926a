/**
 * The explanation shown when CLASH_API_URL is unset. Every other state of the core (connecting, a wrong
 * secret, unreachable) is named once, by the status strip under the header (lib/health_problems.ts), and
 * nowhere else on the page (issue 13: a wrong secret was said three times).
 */
import { useT } from "../../app_context.ts";

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
