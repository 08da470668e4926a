/**
 * Route "/plans" (issue 16): every plan's card with its 95th percentile and past periods as bars against the
 * quota, adding, editing and deleting plans (those from PLAN= are read-only), the alert channels and the
 * alert delivery log.
 */
import { useModel } from "@preact/signals";
import { useState } from "preact/hooks";
import { useApp } from "../../app_context.ts";
import { usePlansT } from "./plans_messages.ts";
import { ErrorBanner } from "../../components/error_banner.tsx";
import { PlanCard } from "../../components/plan_card.tsx";
import { PlansModel } from "../../models/plans_model.ts";
import type { PlanJson } from "../../../api_types.ts";
import { DeliveriesTable } from "./deliveries_table.tsx";
import { PeriodBars } from "./period_bars.tsx";
import { PlanForm } from "./plan_form.tsx";
import { PlansPageModel } from "./plans_page_model.ts";

const BIT_UNITS = [[1e9, "gigabit"], [1e6, "megabit"], [1e3, "kilobit"]] as const;

/** Bits per second in the page's language, in the largest unit the rate reaches ("12.5 Mbit/s"). */
function formatBitRate(bps: number, lang: string): string {
  const [size, unit] = BIT_UNITS.find(([s]) => bps >= s) ?? [1, "bit"];
  return new Intl.NumberFormat(lang, { style: "unit", unit: `${unit}-per-second`, maximumFractionDigits: 2 })
    .format(bps / size);
}

/** The buttons under a plan's card: Edit and Delete (asked twice), or why a PLAN= plan has none. */
function PlanActions(
  props: { plan: PlanJson; onEdit: () => void; onDelete: () => Promise<string | null> },
) {
  const t = usePlansT();
  const [isAsking, setIsAsking] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (props.plan.source === "env") return <p class="muted" data-testid="plan-env">{t("plan_from_env")}</p>;
  if (isAsking) {
    return (
      <div class="plan-actions" role="group" aria-label={t("plan_delete")}>
        <span>{t("plan_delete_confirm", { name: props.plan.name })}</span>
        <button
          type="button"
          class="primary"
          data-testid="plan-delete-yes"
          ref={(button) => button?.focus()}
          onClick={async () => {
            const refused = await props.onDelete();
            setProblem(refused);
            if (refused !== null) setIsAsking(false);
          }}
        >
          {t("plan_delete")}
        </button>
        <button type="button" onClick={() => setIsAsking(false)}>{t("plan_cancel")}</button>
      </div>
    );
  }
  return (
    <div class="plan-actions">
      <button type="button" data-testid="plan-edit" onClick={props.onEdit}>{t("plan_edit")}</button>
      <button type="button" data-testid="plan-delete" onClick={() => setIsAsking(true)}>
        {t("plan_delete")}
      </button>
      {problem && <p class="error" role="alert">{t("plan_delete_failed")}: {problem}</p>}
    </div>
  );
}

export function PlansPage() {
  const t = usePlansT();
  const lang = useApp().prefs.lang.value;
  const plans = useModel(PlansModel);
  const page = useModel(() => new PlansPageModel(plans));
  /** The plan whose form is open: its id, "" for a new one, null for none. */
  const [editing, setEditing] = useState<string | null>(null);
  const json = plans.json.value;
  const deliveries = page.deliveries.value;
  const close = () => setEditing(null);
  return (
    <>
      <section class="panel" aria-labelledby="plans-title" data-testid="plans-panel">
        <header class="panel-header">
          <h2 id="plans-title">{t("nav_plans")}</h2>
          {json && (
            <span class="muted" data-testid="plan-channels">
              {json.channels.length > 0
                ? t("plan_channels", { channels: json.channels.join(", ") })
                : t("plan_no_channels")}
            </span>
          )}
          {json && editing !== "" && (
            <button
              type="button"
              data-testid="plan-add"
              onClick={() => setEditing("")}
            >
              {t("plan_add")}
            </button>
          )}
        </header>
        {plans.error.value && <ErrorBanner detail={plans.error.value}>{t("plan_failed")}</ErrorBanner>}
        {json && json.plans.length === 0 && editing !== "" && (
          <p class="muted" data-testid="plans-empty">{t("plan_empty")}</p>
        )}
        {json && editing === "" && (
          <PlanForm
            plan={null}
            today={json.today}
            onSave={(body) => page.save(null, body)}
            onClose={close}
          />
        )}
      </section>
      {page.periodsError.value && (
        <ErrorBanner detail={page.periodsError.value}>{t("plan_periods_failed")}</ErrorBanner>
      )}
      {json?.plans.map((plan) =>
        editing === plan.id
          ? (
            <section class="panel" key={plan.id}>
              <PlanForm
                plan={plan}
                today={json.today}
                onSave={(body) => page.save(plan.id, body)}
                onClose={close}
              />
            </section>
          )
          : (
            <PlanCard plan={plan} key={plan.id}>
              <p class="plan-p95" data-testid="plan-p95" data-bps={plan.p95_bps}>
                {t("plan_p95")}: <strong>{formatBitRate(plan.p95_bps, lang)}</strong>{" "}
                <span class="muted">
                  (▲ {formatBitRate(plan.p95_up_bps, lang)}, ▼ {formatBitRate(plan.p95_down_bps, lang)})
                </span>
              </p>
              {page.periods.value[plan.id] && (
                <>
                  <h3>{t("plan_periods")}</h3>
                  <PeriodBars periods={page.periods.value[plan.id]} />
                </>
              )}
              <PlanActions
                plan={plan}
                onEdit={() => setEditing(plan.id)}
                onDelete={async () => (await page.remove(plan.id))?.message ?? null}
              />
            </PlanCard>
          )
      )}
      <section class="panel" aria-labelledby="deliveries-title" data-testid="deliveries-panel">
        <header class="panel-header">
          <h2 id="deliveries-title">{t("plan_deliveries")}</h2>
        </header>
        {page.deliveriesError.value && (
          <ErrorBanner detail={page.deliveriesError.value}>{t("plan_deliveries_failed")}</ErrorBanner>
        )}
        {deliveries && deliveries.length === 0 && (
          <p class="muted" data-testid="deliveries-empty">{t("plan_deliveries_empty")}</p>
        )}
        {deliveries && deliveries.length > 0 && <DeliveriesTable deliveries={deliveries} />}
      </section>
    </>
  );
}
