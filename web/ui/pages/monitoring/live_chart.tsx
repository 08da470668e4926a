/** The live upload/download chart: built once per spec, then redrawn in place on every relayed sample. */
import { effect } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { useT } from "../../app_context.ts";
import { chartOptions } from "../../charts/chart_options.ts";
import { lineData } from "../../charts/to_columns.ts";
import { useChartSpec } from "../../components/use_chart_spec.ts";
import type { LiveTrafficModel } from "./live_traffic_model.ts";

const CHART_HEIGHT_PX = 200;

/** Areas of the last minute of `/traffic` samples (bytes per second). */
export function LiveChart(props: { live: InstanceType<typeof LiveTrafficModel> }) {
  const t = useT();
  const host = useRef<HTMLDivElement>(null);
  const spec = useChartSpec("areas", "hour");
  const { columns, tick } = props.live;
  useEffect(() => {
    if (spec === null) return;
    const el = host.current!;
    const options = chartOptions(spec, columns.value, {
      width: el.clientWidth,
      height: CHART_HEIGHT_PX,
      onDraw: () => {},
    });
    // A one-minute window needs seconds on the axis, in the server's zone like every other chart.
    const seconds = new Intl.DateTimeFormat(spec.locale, {
      timeZone: spec.zone,
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    options.axes![0].values = (_u, splits) => splits.map((s) => seconds.format(new Date(s * 1000)));
    const plot = new uPlot(options, lineData(columns.value), el);
    const stopRedraw = effect(() => {
      tick.value;
      const shown = columns.peek();
      plot.setData(lineData(shown));
      // The bytes in the window, for tests and tools that read the page (the canvas says nothing).
      el.dataset.bytes = String(shown.up.reduce((a, b) => a + b, 0) + shown.down.reduce((a, b) => a + b, 0));
    });
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: el.clientWidth, height: CHART_HEIGHT_PX })
    );
    observer.observe(el);
    return () => {
      stopRedraw();
      observer.disconnect();
      plot.destroy();
    };
  }, [spec, columns.value]);
  return (
    <div class="chart" ref={host} role="img" aria-label={t("mon_live_title")} data-chart="monitoring-live" />
  );
}
