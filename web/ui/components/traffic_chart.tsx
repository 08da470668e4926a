/** A uPlot chart of one TrafficColumns, rebuilt when its spec or data change and resized with its box. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { chartOptions, type ChartSpec } from "../charts/chart_options.ts";
import { lineData, stackedBarData, type TrafficColumns } from "../charts/to_columns.ts";

const FIRST_CHART_MARK = "netledger:first-chart";

function heightFor(width: number): number {
  return width < 520 ? 180 : 240;
}

/**
 * Draws `columns`; `name` identifies the chart in performance marks (`netledger:chart:<name>` on its first
 * draw, plus `netledger:first-chart` for the first chart of the page), which the benchmark reads.
 */
export function TrafficChart(
  props: { name: string; spec: ChartSpec; columns: TrafficColumns; title: string },
) {
  const host = useRef<HTMLDivElement>(null);
  const { name, spec, columns } = props;
  useEffect(() => {
    const el = host.current!;
    const onDraw = () => {
      for (const mark of [FIRST_CHART_MARK, `netledger:chart:${name}`]) {
        if (performance.getEntriesByName(mark).length === 0) performance.mark(mark);
      }
    };
    const width = el.clientWidth;
    const data = spec.kind === "stacked-bars" ? stackedBarData(columns) : lineData(columns);
    const plot = new uPlot(
      chartOptions(spec, columns, { width, height: heightFor(width), onDraw }),
      data,
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
    <div
      class="chart"
      ref={host}
      role="img"
      aria-label={props.title}
      data-chart={name}
    />
  );
}
