/** Memoized ChartSpec from the app's zone, language, units and theme, so charts rebuild only when one changes. */
import { useMemo } from "preact/hooks";
import { useApp, useT } from "../app_context.ts";
import type { ChartKind, ChartSpec } from "../charts/chart_options.ts";
import type { Granularity } from "../lib/quick_ranges.ts";
import { useByteFormat } from "./use_byte_format.ts";

/** The spec for a chart of `kind` by `granularity`; null until the server zone is known. */
export function useChartSpec(
  kind: ChartKind,
  granularity: Granularity,
  xRange?: readonly [number, number],
): ChartSpec | null {
  const { prefs, health } = useApp();
  const t = useT();
  const bytes = useByteFormat().format;
  const zone = health.timeZone.value;
  const lang = prefs.lang.value;
  const theme = prefs.theme.value;
  const [xFrom, xTo] = xRange ?? [];
  return useMemo(() => {
    if (!zone) return null;
    return {
      kind,
      granularity,
      zone,
      locale: lang,
      bytes,
      theme,
      labels: {
        time: t("chart_time"),
        up: `▲ ${t("upload")}`,
        down: `▼ ${t("download")}`,
        noData: t("chart_no_data"),
        dropped: t("chart_dropped"),
      },
      xRange: xFrom === undefined || xTo === undefined ? undefined : [xFrom, xTo],
    };
    // `t` is derived from `lang`, which is listed.
  }, [kind, granularity, zone, lang, bytes, theme, xFrom, xTo]);
}
