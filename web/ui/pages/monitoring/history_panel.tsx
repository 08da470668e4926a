/**
 * The proxy clients' history over the page's range: the dashboard's range form (quick buttons, dates,
 * granularity), the range's totals and its chart.
 */
import { useModel } from "@preact/signals";
import { useMemo } from "preact/hooks";
import { useT } from "../../app_context.ts";
import type { TrafficColumns } from "../../charts/to_columns.ts";
import { RangeForm } from "../../components/range_panel.tsx";
import { TrafficChart } from "../../components/traffic_chart.tsx";
import { useByteFormat } from "../../components/use_byte_format.ts";
import { useChartSpec } from "../../components/use_chart_spec.ts";
import { narrowRange, type PeriodRef } from "../../lib/range_steps.ts";
import type { MonitoringHistoryJson } from "../../../monitoring_api_types.ts";
import type { Monitoring } from "./monitoring_model.ts";
import { MonitoringRangeModel } from "./monitoring_range_model.ts";
import type { MonitoringView } from "./monitoring_view_model.ts";

/** Chart columns of a history series (zero-filled by the server). */
export function historyColumns(history: MonitoringHistoryJson): TrafficColumns {
  return {
    ts: Float64Array.from(history.series, (p) => p.start),
    up: Float64Array.from(history.series, (p) => p.up_bytes),
    down: Float64Array.from(history.series, (p) => p.down_bytes),
    dropped: new Float64Array(history.series.length),
    labels: history.series.map((p) => p.label),
  };
}

/** The chart of `history`, drawn by its own granularity; `onPick` gets a clicked or dragged span. */
export function HistoryChart(props: {
  name: string;
  history: MonitoringHistoryJson;
  title: string;
  onPick?: (first: PeriodRef, last: PeriodRef) => void;
}) {
  const { history } = props;
  const spec = useChartSpec(history.granularity === "hour" ? "lines" : "stacked-bars", history.granularity);
  const columns = useMemo(() => historyColumns(history), [history]);
  return spec && (
    <TrafficChart name={props.name} spec={spec} columns={columns} title={props.title} onPick={props.onPick} />
  );
}

/** The panel; the range it shows is the page's, for the clients table and client detail too. */
export function HistoryPanel(props: { model: Monitoring; view: MonitoringView }) {
  const t = useT();
  const bytes = useByteFormat();
  const { history, historyRange, historyError } = props.model;
  const inputs = useModel(() => new MonitoringRangeModel(props.view));
  const data = history.value;
  const shown = historyRange.value;
  const summary = data?.summary;
  const item = (label: string, value: number | undefined, tone: string) => (
    <div class={`strip-item ${tone}`} title={value === undefined ? undefined : bytes.exact(value)}>
      <span class="muted">{label}</span>
      <strong>{value === undefined ? "—" : bytes.bytes(value)}</strong>
    </div>
  );
  return (
    <section class="panel" aria-labelledby="mon-history-title" data-testid="mon-history">
      <header class="panel-header">
        <h2 id="mon-history-title">{t("mon_history_title")}</h2>
        {shown && <span class="muted">{t("top_ips_range", { start: shown.start, end: shown.end })}</span>}
      </header>
      {props.view.range.value && <RangeForm range={inputs} />}
      {historyError.value && (
        <p class="error" role="alert">{t("load_failed", { message: historyError.value })}</p>
      )}
      <div
        class="summary-strip"
        data-testid="mon-history-summary"
        data-bytes={summary ? summary.up_bytes + summary.down_bytes : ""}
      >
        {item(`▲ ${t("upload")}`, summary?.up_bytes, "up")}
        {item(`▼ ${t("download")}`, summary?.down_bytes, "down")}
        {item(
          t("mon_unattributed_range"),
          summary && summary.unattributed_up_bytes + summary.unattributed_down_bytes,
          "",
        )}
      </div>
      {data && shown && (
        <HistoryChart
          name="monitoring-history"
          history={data}
          title={t("range_chart", { start: shown.start, end: shown.end })}
          onPick={(first, last) => {
            // The history is by whole local days: a span of hours opens its days by hour.
            const { start, end, granularity } = narrowRange(first, last);
            props.view.setRange({ start, end, granularity });
          }}
        />
      )}
    </section>
  );
}
