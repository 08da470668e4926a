/**
 * "This period" and "Last period" beside the calendar quick buttons (issue 16): a plan's billing period as the
 * range, through the range model and its address like any quick button. With several plans a chooser says
 * whose period; without plans nothing shows. The last period's dates come from /api/plans/:id/periods.
 */
import { useState } from "preact/hooks";
import { getJson } from "../api.ts";
import { useT } from "../app_context.ts";
import { isSameRange, periodRange, type RangeQuery } from "../lib/quick_ranges.ts";
import type { Plans } from "../models/plans_model.ts";
import { messageOf } from "../models/poll.ts";
import type { Range } from "../models/range_model.ts";
import type { PlanPeriodsJson } from "../../api_types.ts";

/** The period buttons of `plans` for `range`. */
export function PeriodQuick(props: { range: Range; plans: Plans }) {
  const t = useT();
  const { range } = props;
  const json = props.plans.json.value;
  const [chosenId, setChosenId] = useState("");
  /** The last range "Last period" showed, so that its button stays pressed while it is shown. */
  const [last, setLast] = useState<RangeQuery | null>(null);
  const [failure, setFailure] = useState("");
  if (!json || json.plans.length === 0) return null;
  const plan = json.plans.find((p) => p.id === chosenId) ?? json.plans[0];
  const applied = range.applied.value;
  const current = periodRange(plan.period, json.today);
  const isShown = (query: RangeQuery | null) => !!applied && !!query && isSameRange(applied, query);
  const showLast = async () => {
    try {
      const answer = await getJson<PlanPeriodsJson>(
        `/api/plans/${encodeURIComponent(plan.id)}/periods?count=2`,
      );
      const period = answer.periods.find((p) => !p.is_current);
      setFailure("");
      if (!period) return;
      const query = periodRange(period, json.today);
      setLast(query);
      range.show(query);
    } catch (e) {
      setFailure(messageOf(e));
    }
  };
  return (
    <>
      {json.plans.length > 1 && (
        <select
          aria-label={t("plan_choose")}
          data-testid="period-plan"
          value={plan.id}
          onChange={(e) => setChosenId(e.currentTarget.value)}
        >
          {json.plans.map((p) => <option value={p.id} key={p.id}>{p.name}</option>)}
        </select>
      )}
      <button
        type="button"
        data-quick="this_period"
        aria-pressed={isShown(current)}
        onClick={() => range.show(current)}
      >
        {t("plan_this_period")}
      </button>
      <button type="button" data-quick="last_period" aria-pressed={isShown(last)} onClick={showLast}>
        {t("plan_last_period")}
      </button>
      {failure && <span class="error" role="alert">{failure}</span>}
    </>
  );
}
