/**
 * The Monitoring page's range: the dashboard's quick buttons (lib/quick_ranges.ts) and a custom range of local
 * dates with its granularity. Each choice is a step of the browser's history (monitoring_view_model.ts).
 */
import { useState } from "preact/hooks";
import { useT } from "../../app_context.ts";
import { type Granularity, QUICK_RANGE_IDS, quickRange, type RangeQuery } from "../../lib/quick_ranges.ts";
import type { MonitoringView } from "./monitoring_view_model.ts";

const GRANULARITIES: readonly Granularity[] = ["hour", "day", "month"];

/** The labelled date input of the range's `part`; its test id is `mon-range-<part>`. */
function DateField(props: { part: "start" | "end"; value: string; onInput: (date: string) => void }) {
  const t = useT();
  return (
    <label>
      {t(`range_${props.part}`)}
      <input
        type="date"
        required
        data-testid={`mon-range-${props.part}`}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}

/** The form edits a draft of `range`; the shown range changes only on a quick button or Query. */
function CustomRange(props: { range: RangeQuery; onApply: (query: RangeQuery) => void }) {
  const t = useT();
  const [draft, setDraft] = useState(props.range);
  const isBadOrder = draft.start > draft.end;
  const edit = (part: Partial<RangeQuery>) => setDraft({ ...draft, ...part });
  return (
    <form
      class="range-inputs"
      onSubmit={(e) => {
        e.preventDefault();
        if (!isBadOrder) props.onApply(draft);
      }}
    >
      <DateField part="start" value={draft.start} onInput={(start) => edit({ start })} />
      <DateField part="end" value={draft.end} onInput={(end) => edit({ end })} />
      <label>
        {t("range_granularity")}
        <select
          data-testid="mon-range-granularity"
          value={draft.granularity}
          onChange={(e) => edit({ granularity: e.currentTarget.value as Granularity })}
        >
          {GRANULARITIES.map((g) => <option value={g} key={g}>{t(`granularity_${g}`)}</option>)}
        </select>
      </label>
      <button type="submit" class="primary" data-testid="mon-range-apply" disabled={isBadOrder}>
        {t("range_query")}
      </button>
      {isBadOrder && <p class="error" role="alert">{t("range_bad_order")}</p>}
    </form>
  );
}

/** Quick buttons and the custom range; renders nothing until the range is known. */
export function RangePicker(props: { view: MonitoringView }) {
  const t = useT();
  const { range, today, activeQuick, setRange } = props.view;
  const shown = range.value;
  const day = today.value;
  if (!shown || !day) return null;
  return (
    <div class="range-form">
      <div class="quick" role="group" aria-label={t("range_title")}>
        {QUICK_RANGE_IDS.map((id) => (
          <button
            type="button"
            key={id}
            data-quick={id}
            aria-pressed={activeQuick.value === id}
            onClick={() => setRange(quickRange(id, day))}
          >
            {t(`quick_${id}`)}
          </button>
        ))}
      </div>
      {/* Keyed by the shown range: a quick button or Back puts its dates into a fresh draft. */}
      <CustomRange
        key={`${shown.start}/${shown.end}/${shown.granularity}`}
        range={shown}
        onApply={setRange}
      />
    </div>
  );
}
