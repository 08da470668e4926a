/**
 * A uPlot chart of one TrafficColumns, rebuilt when its spec or data change and resized with its box, with
 * a "show as table" toggle. With `onPick`, a click on a period or an x drag across periods reports them
 * (drill-down and zoom); the table's period buttons do the same from the keyboard.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { useT } from "../app_context.ts";
import { chartOptions, type ChartSpec } from "../charts/chart_options.ts";
import { lineData, stackedBarData, type TrafficColumns } from "../charts/to_columns.ts";
import type { PeriodRef } from "../lib/range_steps.ts";
import { ChartTable } from "./chart_table.tsx";

const FIRST_CHART_MARK = "netledger:first-chart";

function heightFor(width: number): number {
  return width < 520 ? 180 : 240;
}

/**
 * Draws `columns`; `name` identifies the chart in performance marks (`netledger:chart:<name>` on its first
 * draw, plus `netledger:first-chart` for the first chart of the page), which the benchmark reads. The
 * chart's `.uplot` element carries the axis labels drawn last, in `data-x-ticks` and `data-y-ticks`
 * ("|"-separated), for tests.
 */
export function TrafficChart(
  props: {
    name: string;
    spec: ChartSpec;
    columns: TrafficColumns;
    title: string;
    onPick?: (first: PeriodRef, last: PeriodRef) => void;
  },
) {
  const t = useT();
  const host = useRef<HTMLDivElement>(null);
  const [isTable, setTable] = useState(false);
  const { name, spec, columns, onPick } = props;
  // The latest handler, so a new callback each render does not rebuild the chart.
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const period = (i: number): PeriodRef => ({ label: columns.labels[i], startSec: columns.ts[i] });
  const open = (first: number, last: number) => pickRef.current?.(period(first), period(last));
  useEffect(() => {
    const el = host.current!;
    const width = el.clientWidth;
    const data = spec.kind === "stacked-bars" ? stackedBarData(columns) : lineData(columns);
    const plot = new uPlot(
      chartOptions(spec, columns, {
        width,
        height: heightFor(width),
        onDraw: (u, ticks) => {
          u.root.dataset.xTicks = ticks.x.join("|");
          u.root.dataset.yTicks = ticks.y.join("|");
          for (const mark of [FIRST_CHART_MARK, `netledger:chart:${name}`]) {
            if (performance.getEntriesByName(mark).length === 0) performance.mark(mark);
          }
        },
        onPick: pickRef.current ? open : undefined,
      }),
      data as uPlot.AlignedData,
      el,
    );
    // Set once the chart exists, so tests can wait for this data's chart rather than the previous one.
    el.dataset.points = String(columns.ts.length);
    let lastWidth = width;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth === lastWidth) return;
      lastWidth = el.clientWidth;
      plot.setSize({ width: lastWidth, height: heightFor(lastWidth) });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [name, spec, columns]);
  return (
    <div class="chart-box">
      <div class="chart" ref={host} role="img" aria-label={props.title} data-chart={name} />
      <div class="chart-tools">
        {onPick && <span class="muted">{t("chart_hint")}</span>}
        <button
          type="button"
          class="table-toggle"
          aria-pressed={isTable}
          data-table-toggle={name}
          onClick={() => setTable(!isTable)}
        >
          {t("chart_show_table")}
        </button>
      </div>
      {isTable && (
        <ChartTable
          columns={columns}
          caption={props.title}
          onOpen={onPick ? (i) => open(i, i) : undefined}
        />
      )}
    </div>
  );
}
