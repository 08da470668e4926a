/** Memoized ChartSpec from the app's zone, language and theme, so charts rebuild only when one changes. */
import { useMemo } from "preact/hooks";
import { useApp, useT } from "../app_context.ts";
import type { ChartKind, ChartSpec } from "../charts/chart_options.ts";
import type { Granularity } from "../lib/quick_ranges.ts";

/** The spec for a chart of `kind` by `granularity`; null until the server zone is known. */
export function useChartSpec(
  kind: ChartKind,
  granularity: Granularity,
  xRange?: readonly [number, number],
): ChartSpec | null {
  const { prefs, health } = useApp();
  const t = useT();
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
      theme,
      labels: { time: t("chart_time"), up: t("upload"), down: t("download"), incomplete: t("incomplete") },
      xRange: xFrom === undefined || xTo === undefined ? undefined : [xFrom, xTo],
    };
    // `t` is derived from `lang`, which is listed.
  }, [kind, granularity, zone, lang, theme, xFrom, xTo]);
}
