/**
 * A plan's card (issue 16): used of quota as a bar with today's even pace, the forecast for the period's end
 * and its likely range, days left and the daily budget, coloured by risk. Every mark of the bar is also said
 * in words below it (the bar itself is hidden from screen readers), and the risk is a word and a sign, not
 * only a colour. The dashboard shows one card per plan, none without plans.
 */
import type { ComponentChildren } from "preact";
import { useApp } from "../app_context.ts";
import type { PlanJson } from "../../api_types.ts";
import { periodDay, planGauge, type PlanRisk, planRisk } from "../lib/plan_gauge.ts";
import type { Plans } from "../models/plans_model.ts";
import { usePlansT } from "../pages/plans/plans_messages.ts";
import { useByteFormat } from "./use_byte_format.ts";

const RISK_SIGNS: Record<PlanRisk, string> = { none: "–", ok: "✓", forecast_over: "!", over: "✕" };

/** One plan's card; `children` go at its end (the Plans page's buttons). */
export function PlanCard(props: { plan: PlanJson; children?: ComponentChildren }) {
  const t = usePlansT();
  const fmt = useByteFormat();
  const lang = useApp().prefs.lang.value;
  const { plan } = props;
  const risk = planRisk(plan);
  const gauge = planGauge(plan, Date.now() / 1000);
  const titleId = `plan-${plan.id}-title`;
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  const bytes = (value: number, testId: string) => (
    <strong data-testid={testId} data-bytes={value} title={fmt.exact(value)}>{fmt.bytes(value)}</strong>
  );
  const at = (pct: number) => ({ left: `${pct}%` });
  return (
    <section
      class={`panel plan-card risk-${risk}`}
      aria-labelledby={titleId}
      data-testid="plan-card"
      data-plan={plan.id}
      data-risk={risk}
    >
      <header class="panel-header">
        <h2 id={titleId}>{plan.name}</h2>
        <span class="muted">
          {t(plan.counts)} · {plan.period.start} – {plan.period.end}
        </span>
        <span class="plan-risk" data-testid="plan-risk">
          <span aria-hidden="true">{RISK_SIGNS[risk]}</span> {t(`plan_risk_${risk}`)}
        </span>
      </header>
      <p class="plan-used">
        {bytes(plan.used_bytes, "plan-used")} {plan.quota_bytes === null ? t("plan_no_cap") : (
          <>
            {t("plan_of")} {bytes(plan.quota_bytes, "plan-quota")}{" "}
            <span data-testid="plan-percent">({percent.format((plan.percent ?? 0) / 100)})</span>
          </>
        )}
      </p>
      <div class="plan-bar" aria-hidden="true">
        <span
          class="plan-band"
          style={{ left: `${gauge.lowPct}%`, width: `${gauge.highPct - gauge.lowPct}%` }}
        />
        <span class="plan-fill" style={{ width: `${gauge.usedPct}%` }} />
        {gauge.quotaPct !== null && gauge.quotaPct < 100 && (
          <span class="plan-quota" style={at(gauge.quotaPct)} />
        )}
        {gauge.pacePct !== null && <span class="plan-pace" style={at(gauge.pacePct)} />}
        <span class="plan-forecast" style={at(gauge.forecastPct)} />
      </div>
      <p class="plan-legend muted">{t("plan_legend")}</p>
      <dl class="plan-facts">
        <div>
          <dt>{t("plan_forecast")}</dt>
          <dd>
            {bytes(plan.forecast_bytes, "plan-forecast")}{" "}
            <span data-testid="plan-forecast-range">
              ({fmt.bytes(plan.forecast_low_bytes)} – {fmt.bytes(plan.forecast_high_bytes)})
            </span>
          </dd>
        </div>
        <div>
          <dt>{t("plan_days_left")}</dt>
          <dd>
            <strong data-testid="plan-days-left" data-days={plan.days_left}>{plan.days_left}</strong>{" "}
            {t("plan_day_of", { day: periodDay(plan), days: plan.period.days })}
          </dd>
        </div>
        {plan.daily_budget_bytes !== null && (
          <div>
            <dt>{t("plan_daily_budget")}</dt>
            <dd>{bytes(plan.daily_budget_bytes, "plan-budget")} {t("plan_per_day")}</dd>
          </div>
        )}
        {plan.quota_reached_on !== null && (
          <div>
            <dt>{t("plan_reached_on")}</dt>
            <dd data-testid="plan-reached">{plan.quota_reached_on}</dd>
          </div>
        )}
      </dl>
      {props.children}
    </section>
  );
}

/** The dashboard's plan cards, with a link to the Plans page; nothing while there are no plans. */
export function PlanCards(props: { plans: Plans }) {
  const t = usePlansT();
  const json = props.plans.json.value;
  if (!json || json.plans.length === 0) return null;
  return (
    <div class="two-up" data-testid="plan-cards">
      {json.plans.map((plan) => (
        <PlanCard plan={plan} key={plan.id}>
          <a href="#/plans" class="plan-link">{t("plan_manage")}</a>
        </PlanCard>
      ))}
    </div>
  );
}
