/**
 * The dashboard of an empty database: what netledger captures and where, a warning when that interface
 * cannot carry internet traffic (loopback) or has no public address (behind a router only this box's own
 * traffic passes), and where the README says to run it (issue 13 "first-run state").
 */
import { useModel } from "@preact/signals";
import { useApp, useT } from "../app_context.ts";
import { isPublicAddress } from "../lib/public_address.ts";
import { LocalIpsModel } from "../models/local_ips_model.ts";
import type { Range } from "../models/range_model.ts";
import type { SummaryModel } from "../models/summary_model.ts";

/** Where the README explains which box and interface to capture on; the dashboard does not serve it. */
const WHERE_TO_RUN_IT = "README.md#where-to-run-it";
const LOOPBACK_IFACE = "lo";

function FirstRunNotice() {
  const t = useT();
  const capture = useApp().health.health.value?.capture;
  const local = useModel(LocalIpsModel).localIps.value;
  const addresses = local ? [...local.ipv4, ...local.ipv6] : null;
  const iface = capture?.iface ?? "";
  const isLoopback = iface === LOOPBACK_IFACE;
  const hasNoPublic = !isLoopback && addresses !== null && !addresses.some(isPublicAddress);
  return (
    <section class="panel first-run" aria-labelledby="first-run-title" data-testid="first-run">
      <h2 id="first-run-title">{t("first_run_title")}</h2>
      <p>{capture ? t("first_run_capturing", { iface }) : t("first_run_history_only")}</p>
      {capture && isLoopback && (
        <p class="warning" data-testid="first-run-warning">{t("first_run_loopback", { iface })}</p>
      )}
      {capture && hasNoPublic && (
        <p class="warning" data-testid="first-run-warning">
          {t("first_run_no_public", { iface, addresses: addresses.join(", ") || "—" })}
        </p>
      )}
      <p>
        {t("first_run_where")} <code>{WHERE_TO_RUN_IT}</code>
      </p>
    </section>
  );
}

/**
 * Shown while the database holds no traffic at all: /api/date_range has no first date and the summary,
 * which counts unsaved traffic every 15 seconds, has seen none either.
 */
export function FirstRunPanel(props: { range: Range; summary: InstanceType<typeof SummaryModel> }) {
  const limits = props.range.limits.value;
  const year = props.summary.summary.value?.year.total_bytes ?? 0;
  if (limits === null || limits.min !== null || year > 0) return null;
  return <FirstRunNotice />;
}
