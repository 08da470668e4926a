/**
 * The Monitoring page's range as the dashboard's range form edits it (RangeInputs of models/range_model.ts):
 * a draft of the page's range (monitoring_view_model.ts) that the quick buttons and Query turn into a step of
 * the browser's history. The proxy history keeps its own dates: the form offers no date limits.
 */
import { action, batch, computed, createModel, effect, signal } from "@preact/signals";
import type { DateRangeJson } from "../../api.ts";
import { type Granularity, quickRange, type QuickRangeId } from "../../lib/quick_ranges.ts";
import type { RangeProblem } from "../../models/range_model.ts";
import type { MonitoringView } from "./monitoring_view_model.ts";

/** RangeInputs (models/range_model.ts) over `view`; the inputs follow each range the page shows (a quick button, Query, Back). */
export const MonitoringRangeModel = createModel((view: MonitoringView) => {
  const start = signal("");
  const end = signal("");
  const granularity = signal<Granularity>("hour");
  effect(() => {
    const shown = view.range.value;
    if (!shown) return;
    batch(() => {
      start.value = shown.start;
      end.value = shown.end;
      granularity.value = shown.granularity;
    });
  });
  const problem = computed<RangeProblem>(() =>
    start.value && end.value && start.value > end.value ? "bad_order" : null
  );
  return {
    start,
    end,
    granularity,
    limits: signal<DateRangeJson | null>(null),
    csvHref: signal<string | null>(null),
    problem,
    activeQuick: view.activeQuick,
    applyQuick: action((id: QuickRangeId) => {
      const today = view.today.value;
      if (today) view.setRange(quickRange(id, today), id);
    }),
    setStart: action((value: string) => {
      start.value = value;
    }),
    setEnd: action((value: string) => {
      end.value = value;
    }),
    setGranularity: action((value: Granularity) => {
      granularity.value = value;
    }),
    submit: action(() => {
      if (problem.value || !start.value || !end.value) return;
      view.setRange({ start: start.value, end: end.value, granularity: granularity.value });
    }),
  };
});
