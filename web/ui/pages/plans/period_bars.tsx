/**
 * A plan's periods as bars against its quota (issue 16), newest first: plain CSS bars on one scale (the
 * quota or the heaviest period), the quota as a line, a period over it in the "over" colour and with the
 * excess in words. Each row says its dates and total in text; the bars repeat it for the eye.
 */
import { usePlansT } from "./plans_messages.ts";
import { useByteFormat } from "../../components/use_byte_format.ts";
import type { PlanPastPeriodJson } from "../../../api_types.ts";

export function PeriodBars(props: { periods: readonly PlanPastPeriodJson[] }) {
  const t = usePlansT();
  const fmt = useByteFormat();
  const { periods } = props;
  const quota = periods.at(-1)?.quota_bytes ?? null;
  const scale = Math.max(quota ?? 0, ...periods.map((p) => p.used_bytes), 1);
  const pct = (bytes: number) => `${Math.min(100, bytes / scale * 100)}%`;
  return (
    <ol class="plan-periods" data-testid="plan-periods">
      {periods.toReversed().map((p) => (
        <li key={p.start} data-start={p.start} data-over={p.over ?? undefined}>
          <span class="plan-period-dates">
            {p.start} – {p.end}
            {p.is_current && <span class="muted">{` (${t("plan_so_far")})`}</span>}
          </span>
          <span class={`plan-bar${p.over ? " risk-over" : ""}`} aria-hidden="true">
            <span class="plan-fill" style={{ width: pct(p.used_bytes) }} />
            {quota !== null && quota < scale && <span class="plan-quota" style={{ left: pct(quota) }} />}
          </span>
          <span class="plan-period-value" data-bytes={p.used_bytes} title={fmt.exact(p.used_bytes)}>
            {fmt.bytes(p.used_bytes)}
            {p.over && p.over_bytes !== null && (
              <span class="plan-over">{t("plan_over_by", { value: fmt.bytes(p.over_bytes) })}</span>
            )}
          </span>
        </li>
      ))}
    </ol>
  );
}
