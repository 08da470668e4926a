/** The custom range query: quick buttons, date pickers, granularity, summary strip, trend chart, CSV link. */
import type { ComponentChildren } from "preact";
import { useApp, useT } from "../app_context.ts";
import { type Granularity, QUICK_RANGE_IDS } from "../lib/quick_ranges.ts";
import { rangeBounds } from "../lib/range_steps.ts";
import type { Range, RangeInputs } from "../models/range_model.ts";
import type { Plans } from "../models/plans_model.ts";
import { ErrorBanner } from "./error_banner.tsx";
import { PeriodQuick } from "./period_quick.tsx";
import { TrafficChart } from "./traffic_chart.tsx";
import { useByteFormat } from "./use_byte_format.ts";
import { useChartSpec } from "./use_chart_spec.ts";

const GRANULARITIES: readonly Granularity[] = ["hour", "day", "month"];

/** Quick buttons, dates, granularity, Query and the CSV link (`csvHref`, default the range's own). */
export function RangeForm(
  props: { range: RangeInputs; csvHref?: string | null; moreQuick?: ComponentChildren },
) {
  const t = useT();
  const { range } = props;
  const { min, max } = range.limits.value ?? { min: null, max: null };
  const csvHref = props.csvHref === undefined ? range.csvHref.value : props.csvHref;
  return (
    <form
      class="range-form"
      onSubmit={(e) => {
        e.preventDefault();
        range.submit();
      }}
    >
      <div class="quick" role="group" aria-label={t("range_title")}>
        {QUICK_RANGE_IDS.map((id) => (
          <button
            type="button"
            key={id}
            data-quick={id}
            aria-pressed={range.activeQuick.value === id}
            onClick={() => range.applyQuick(id)}
          >
            {t(`quick_${id}`)}
          </button>
        ))}
        {props.moreQuick}
      </div>
      <div class="range-inputs">
        <label>
          {t("range_start")}
          <input
            type="date"
            data-testid="range-start"
            value={range.start.value}
            min={min ?? undefined}
            max={max ?? undefined}
            onInput={(e) => range.setStart(e.currentTarget.value)}
          />
        </label>
        <label>
          {t("range_end")}
          <input
            type="date"
            data-testid="range-end"
            value={range.end.value}
            min={min ?? undefined}
            max={max ?? undefined}
            onInput={(e) => range.setEnd(e.currentTarget.value)}
          />
        </label>
        <label>
          {t("range_granularity")}
          <select
            data-testid="range-granularity"
            value={range.granularity.value}
            onChange={(e) => range.setGranularity(e.currentTarget.value as Granularity)}
          >
            {GRANULARITIES.map((g) => <option value={g} key={g}>{t(`granularity_${g}`)}</option>)}
          </select>
        </label>
        <button type="submit" class="primary" disabled={range.problem.value !== null}>
          {t("range_query")}
        </button>
        {csvHref && <a class="button" href={csvHref} download data-testid="range-csv">{t("range_csv")}</a>}
      </div>
      {range.problem.value === "bad_order" && <p class="error" role="alert">{t("range_bad_order")}</p>}
    </form>
  );
}

function SummaryStrip(props: { range: Range }) {
  const t = useT();
  const fmt = useByteFormat();
  const view = props.range.view.value;
  const item = (label: string, bytes: number | undefined, tone: string) => (
    <div class={`strip-item ${tone}`} title={bytes === undefined ? undefined : fmt.exact(bytes)}>
      <span class="muted">{label}</span>
      <strong data-bytes={bytes ?? ""}>{bytes === undefined ? "—" : fmt.bytes(bytes)}</strong>
    </div>
  );
  return (
    <div class="summary-strip" data-testid="range-summary">
      {item(t("total"), view ? view.upBytes + view.downBytes : undefined, "")}
      {item(`▲ ${t("upload")}`, view?.upBytes, "up")}
      {item(`▼ ${t("download")}`, view?.downBytes, "down")}
    </div>
  );
}

/** The whole range section of the dashboard; with `plans`, their billing periods are quick buttons too. */
export function RangePanel(props: { range: Range; plans?: Plans }) {
  const t = useT();
  const { range } = props;
  const applied = range.applied.value;
  const view = range.view.value;
  const zone = useApp().health.timeZone.value;
  const granularity = applied?.granularity ?? "hour";
  // Bars at every granularity: a zoom may leave a single hour, which a line could not show.
  const spec = useChartSpec("stacked-bars", granularity);
  const title = applied && zone ? t("range_chart", rangeBounds(applied, zone)) : t("range_title");
  return (
    <section class="panel" aria-labelledby="range-title" data-stale={range.isStale.value || undefined}>
      <header class="panel-header">
        <h2 id="range-title">{t("range_title")}</h2>
        {range.isLoading.value && <span class="muted">{t("loading")}</span>}
      </header>
      <RangeForm range={range} moreQuick={props.plans && <PeriodQuick range={range} plans={props.plans} />} />
      {range.error.value && (
        <ErrorBanner detail={range.error.value} testId="range-error">
          {applied && zone ? t("range_failed", rangeBounds(applied, zone)) : t("range_failed_first")}
        </ErrorBanner>
      )}
      {range.isStale.value && <p class="stale-mark" data-testid="range-stale">{t("range_stale")}</p>}
      <SummaryStrip range={range} />
      {spec && view && (
        <TrafficChart name="range" spec={spec} columns={view.columns} title={title} onPick={range.narrow} />
      )}
    </section>
  );
}
