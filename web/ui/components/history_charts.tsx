/**
 * The three fixed charts: last 30 days (stacked bars), last 12 months (stacked bars), today by hour (areas).
 * A click or drag on any of them opens those periods in the range panel (`onPick`).
 */
import { useMemo } from "preact/hooks";
import type { InterfaceTotalsJson, SeriesPointJson } from "../api.ts";
import { useApp, useT } from "../app_context.ts";
import { type KnownSpan, seriesColumns, todayColumns } from "../charts/to_columns.ts";
import type { PeriodRef } from "../lib/range_steps.ts";
import { addDays, localDateAt, wallToUtcSec } from "../lib/zoned_time.ts";
import type { HistoryModel } from "../models/history_model.ts";
import { ErrorBanner } from "./error_banner.tsx";
import { TrafficChart } from "./traffic_chart.tsx";
import { useChartSpec } from "./use_chart_spec.ts";

type History = InstanceType<typeof HistoryModel>;

/** Opens periods first..last of a chart. */
type OnPick = (first: PeriodRef, last: PeriodRef) => void;

function ChartPanel(props: { title: string; children: preact.ComponentChildren }) {
  return (
    <section class="panel">
      <header class="panel-header">
        <h2>{props.title}</h2>
      </header>
      {props.children}
    </section>
  );
}

function TodayChart(props: { zone: string; firstDate: string | null | undefined; onPick: OnPick }) {
  const t = useT();
  const { todayHours, todayError } = useApp().health;
  const rows = todayHours.value;
  const nowSec = Date.now() / 1000;
  const today = localDateAt(props.zone, nowSec);
  const dayStart = wallToUtcSec(props.zone, today);
  const dayEnd = wallToUtcSec(props.zone, addDays(today, 1)) - 3600;
  const spec = useChartSpec("areas", "hour", [dayStart, dayEnd]);
  const columns = useMemo(
    () => (rows ? todayColumns(rows, { zone: props.zone, today, nowSec, firstDate: props.firstDate }) : null),
    [rows, props.zone, today, props.firstDate],
  );
  return (
    <ChartPanel title={t("chart_today_hours")}>
      {todayError.value && <ErrorBanner detail={todayError.value}>{t("charts_failed")}</ErrorBanner>}
      {spec && columns && (
        <TrafficChart
          name="today"
          spec={spec}
          columns={columns}
          title={t("chart_today_hours")}
          onPick={props.onPick}
        />
      )}
    </ChartPanel>
  );
}

/**
 * Imported vnStat interface totals (issue 17) under a counted chart: their own chart, in the dimmed dashed
 * style of `.imported-totals`, with a note that they are whole-interface bytes and not counted traffic.
 */
function ImportedTotalsChart(
  props: { name: string; imported: InterfaceTotalsJson; granularity: "day" | "month"; zone: string },
) {
  const t = useT();
  const spec = useChartSpec("stacked-bars", props.granularity);
  const { imported, granularity, zone } = props;
  const columns = useMemo(() => {
    // Keyed by the granularity: a DayPointJson or a MonthPointJson.
    const rows = imported.series.map((p) =>
      ({
        [granularity]: p.label,
        up_bytes: p.up_bytes,
        down_bytes: p.down_bytes,
        total_bytes: p.total_bytes,
        dropped_packets: 0,
        packets: 0,
      }) as unknown as SeriesPointJson
    );
    return seriesColumns(rows, zone);
  }, [imported, granularity, zone]);
  const title = t("imported_totals_note", { interfaces: imported.interfaces.join(", ") });
  return (
    <div class="imported-totals" data-source={imported.source}>
      <p class="muted">{title}</p>
      {spec && <TrafficChart name={props.name} spec={spec} columns={columns} title={title} />}
    </div>
  );
}

/**
 * The history charts; they wait for the server zone, which places their x axes. `firstDate` is the first
 * counted date (null: none; undefined: not known yet), before which periods read "no data".
 */
export function HistoryCharts(
  props: { history: History; firstDate: string | null | undefined; onPick: OnPick },
) {
  const t = useT();
  const zone = useApp().health.timeZone.value;
  const { days, months, error, importedDays, importedMonths } = props.history;
  const { firstDate, onPick } = props;
  const daySpec = useChartSpec("stacked-bars", "day");
  const monthSpec = useChartSpec("stacked-bars", "month");
  const known = (): KnownSpan | undefined =>
    firstDate === undefined ? undefined : { firstDate, nowSec: Date.now() / 1000 };
  const dayColumns = useMemo(
    () => (days.value && zone ? seriesColumns(days.value, zone, known()) : null),
    [days.value, zone, firstDate],
  );
  const monthColumns = useMemo(
    () => (months.value && zone ? seriesColumns(months.value, zone, known()) : null),
    [months.value, zone, firstDate],
  );
  return (
    <>
      {error.value && <ErrorBanner detail={error.value}>{t("charts_failed")}</ErrorBanner>}
      {zone && <TodayChart zone={zone} firstDate={firstDate} onPick={onPick} />}
      <div class="two-up">
        <ChartPanel title={t("chart_30_days")}>
          {daySpec && dayColumns && (
            <TrafficChart
              name="days"
              spec={daySpec}
              columns={dayColumns}
              title={t("chart_30_days")}
              onPick={onPick}
            />
          )}
          {zone && importedDays.value && (
            <ImportedTotalsChart
              name="days-imported"
              imported={importedDays.value}
              granularity="day"
              zone={zone}
            />
          )}
        </ChartPanel>
        <ChartPanel title={t("chart_12_months")}>
          {monthSpec && monthColumns && (
            <TrafficChart
              name="months"
              spec={monthSpec}
              columns={monthColumns}
              title={t("chart_12_months")}
              onPick={onPick}
            />
          )}
          {zone && importedMonths.value && (
            <ImportedTotalsChart
              name="months-imported"
              imported={importedMonths.value}
              granularity="month"
              zone={zone}
            />
          )}
        </ChartPanel>
      </div>
    </>
  );
}
