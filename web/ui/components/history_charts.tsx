/** The three fixed charts: last 30 days (stacked bars), last 12 months (stacked bars), today by hour (areas). */
import { useMemo } from "preact/hooks";
import { useApp, useT } from "../app_context.ts";
import { seriesColumns, todayColumns } from "../charts/to_columns.ts";
import { addDays, localDateAt, wallToUtcSec } from "../lib/zoned_time.ts";
import type { HistoryModel } from "../models/history_model.ts";
import { TrafficChart } from "./traffic_chart.tsx";
import { useChartSpec } from "./use_chart_spec.ts";

type History = InstanceType<typeof HistoryModel>;

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

function TodayChart(props: { zone: string }) {
  const t = useT();
  const { todayHours, todayError } = useApp().health;
  const rows = todayHours.value;
  const nowSec = Date.now() / 1000;
  const today = localDateAt(props.zone, nowSec);
  const dayStart = wallToUtcSec(props.zone, today);
  const dayEnd = wallToUtcSec(props.zone, addDays(today, 1)) - 3600;
  const spec = useChartSpec("areas", "hour", [dayStart, dayEnd]);
  const columns = useMemo(
    () => (rows ? todayColumns(rows, { zone: props.zone, today, nowSec }) : null),
    [rows, props.zone, today],
  );
  return (
    <ChartPanel title={t("chart_today_hours")}>
      {todayError.value && <p class="error" role="alert">{t("load_failed", { message: todayError.value })}
      </p>}
      {spec && columns && (
        <TrafficChart name="today" spec={spec} columns={columns} title={t("chart_today_hours")} />
      )}
    </ChartPanel>
  );
}

/** The history charts; they wait for the server zone, which places their x axes. */
export function HistoryCharts(props: { history: History }) {
  const t = useT();
  const zone = useApp().health.timeZone.value;
  const { days, months, error } = props.history;
  const daySpec = useChartSpec("stacked-bars", "day");
  const monthSpec = useChartSpec("stacked-bars", "month");
  const dayColumns = useMemo(() => (days.value && zone ? seriesColumns(days.value, zone) : null), [
    days.value,
    zone,
  ]);
  const monthColumns = useMemo(
    () => (months.value && zone ? seriesColumns(months.value, zone) : null),
    [months.value, zone],
  );
  return (
    <>
      {error.value && <p class="error" role="alert">{t("load_failed", { message: error.value })}</p>}
      {zone && <TodayChart zone={zone} />}
      <div class="two-up">
        <ChartPanel title={t("chart_30_days")}>
          {daySpec && dayColumns && (
            <TrafficChart name="days" spec={daySpec} columns={dayColumns} title={t("chart_30_days")} />
          )}
        </ChartPanel>
        <ChartPanel title={t("chart_12_months")}>
          {monthSpec && monthColumns && (
            <TrafficChart
              name="months"
              spec={monthSpec}
              columns={monthColumns}
              title={t("chart_12_months")}
            />
          )}
        </ChartPanel>
      </div>
    </>
  );
}
