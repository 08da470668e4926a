/**
 * The alert delivery log (issue 16): every alert per channel, newest first, with its state, attempts, the last
 * error and when the next try is due, so a webhook that keeps failing shows here, not only in the server log.
 * Cards on a phone (table_cards.css).
 */
import { useApp } from "../../app_context.ts";
import { usePlansT } from "./plans_messages.ts";
import type { AlertDeliveryJson } from "../../../api_types.ts";

/** The threshold as the page says it: "80%" stays, "forecast" is translated. */
export function thresholdLabel(threshold: string, t: ReturnType<typeof usePlansT>): string {
  return threshold === "forecast" ? t("plan_threshold_forecast") : threshold;
}

export function DeliveriesTable(props: { deliveries: readonly AlertDeliveryJson[] }) {
  const t = usePlansT();
  const { prefs, health } = useApp();
  const time = new Intl.DateTimeFormat(prefs.lang.value, {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: health.timeZone.value ?? undefined,
  });
  const at = (sec: number | null) => sec === null ? "—" : time.format(sec * 1000);
  const labels = {
    time: t("plan_col_time"),
    plan: t("plan_col_plan"),
    alert: t("plan_col_alert"),
    channel: t("plan_col_channel"),
    state: t("plan_col_state"),
    attempts: t("plan_col_attempts"),
    error: t("plan_col_error"),
    next: t("plan_col_next"),
  };
  return (
    <table class="top-ips table-cards plan-deliveries" data-testid="plan-deliveries">
      <thead>
        <tr>
          {Object.values(labels).map((label) => <th scope="col" key={label}>{label}</th>)}
        </tr>
      </thead>
      <tbody>
        {props.deliveries.map((d) => (
          <tr key={d.id} data-state={d.state}>
            <td class="card-title">{at(d.created_at)}</td>
            <td data-label={labels.plan}>
              {d.plan_name} {d.is_test && <span class="dev-note">{t("plan_test")}</span>}
            </td>
            <td data-label={labels.alert}>{thresholdLabel(d.threshold, t)}</td>
            <td data-label={labels.channel}>{d.channel}</td>
            <td data-label={labels.state} class={`plan-state-${d.state}`}>{t(`plan_state_${d.state}`)}</td>
            <td data-label={labels.attempts} class="num">{d.attempts}</td>
            <td data-label={labels.error} class="plan-error-cell">{d.last_error ?? "—"}</td>
            <td data-label={labels.next}>{at(d.next_attempt_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
