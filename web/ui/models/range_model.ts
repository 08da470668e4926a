/**
 * The custom range query: editable start/end/granularity, the applied query with its result and top remote
 * IPs, and the date limits from /api/date_range. Dates are local dates of the server zone. Every step the
 * person takes (a quick button, Query, a click or drag on a chart) is a new entry of the browser's history
 * (lib/range_link.ts), so Back returns step by step.
 */
import { action, batch, computed, createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import {
  type DateRangeJson,
  getJson,
  type QueryJson,
  queryString,
  type TopIpJson,
  type TopIpsJson,
} from "../api.ts";
import { seriesColumns, sliceColumns, sumColumns, type TrafficColumns } from "../charts/to_columns.ts";
import {
  type Granularity,
  isSameRange,
  quickRange,
  type QuickRangeId,
  quickRangeIdOf,
  type RangeQuery,
} from "../lib/quick_ranges.ts";
import { rangeFromHash, rangeHash } from "../lib/range_link.ts";
import { narrowRange, type PeriodRef, topIpsBounds } from "../lib/range_steps.ts";
import { localDateAt } from "../lib/zoned_time.ts";
import { messageOf, poll } from "./poll.ts";
import { hashPath } from "./route_model.ts";

const TOP_IPS_LIMIT = 10;
const REFRESH_INTERVAL_MS = 120_000;
/** Not "today": the "Today, by hour" chart below the range already shows today (issue 13). */
const DEFAULT_QUICK_RANGE: QuickRangeId = "last_7_days";

/** Why the range cannot be queried as typed; null when it can. */
export type RangeProblem = "bad_order" | null;

/**
 * What the range form (components/range_panel.tsx RangeForm) edits and selects: a RangeModel, or another
 * page's range that loads something else (the Monitoring page's proxy history).
 */
export interface RangeInputs {
  readonly start: ReadonlySignal<string>;
  readonly end: ReadonlySignal<string>;
  readonly granularity: ReadonlySignal<Granularity>;
  /** Local dates of the first and last data, for the date pickers; null when unknown. */
  readonly limits: ReadonlySignal<DateRangeJson | null>;
  readonly problem: ReadonlySignal<RangeProblem>;
  readonly activeQuick: ReadonlySignal<QuickRangeId | null>;
  /** The CSV of the shown range; null: no CSV link. */
  readonly csvHref: ReadonlySignal<string | null>;
  /** Selects a quick button's range. */
  readonly applyQuick: (id: QuickRangeId) => void;
  readonly setStart: (value: string) => void;
  readonly setEnd: (value: string) => void;
  readonly setGranularity: (value: Granularity) => void;
  /** Shows the range as typed, unless it has a problem. */
  readonly submit: () => void;
}

/** What the range chart and totals show: the applied range's periods (only its hours, if it has some). */
export interface RangeView {
  readonly columns: TrafficColumns;
  readonly upBytes: number;
  readonly downBytes: number;
}

/**
 * Range state for one page; `timeZone` is the server zone (null until /api/health answered). The first
 * range is `initial` (from the address) or else the last 7 days by day. `path` is the route whose address
 * records the range ("/" or "/devices"): its history steps belong to that route only. `loadsTopRemotes`: the
 * page shows the range's top remotes (`topIps`); a page without that table spares the reader pool the query.
 */
export const RangeModel = createModel(
  (
    timeZone: ReadonlySignal<string | null>,
    initial: RangeQuery | null,
    path = "/",
    loadsTopRemotes = true,
  ) => {
    const isRouteShown = () => hashPath(location.hash) === path;
    const start = signal("");
    const end = signal("");
    const granularity = signal<Granularity>("hour");
    /**
     * The quick button whose range is shown: set with each result, so a request that fails never leaves
     * another button selected than the one whose numbers are on screen (issue 13).
     */
    const activeQuick = signal<QuickRangeId | null>(null);
    /** The range shown, with its optional hours: what the chart, totals and top remotes are of. */
    const applied = signal<RangeQuery | null>(null);
    const result = signal<QueryJson | null>(null);
    /** UTC seconds at which `result` was answered: later periods are the future, not zero. */
    const answeredAtSec = signal(0);
    const topIps = signal<readonly TopIpJson[] | null>(null);
    const error = signal<string | null>(null);
    const isLoading = signal(false);
    /** Local dates of the first and last traffic; null until /api/date_range answered. */
    const limits = signal<DateRangeJson | null>(null);
    const problem = computed<RangeProblem>(() =>
      start.value && end.value && start.value > end.value ? "bad_order" : null
    );
    /** The inputs name another range than the one shown (edited and not queried, or a failed query's). */
    const isStale = computed(() => {
      const shown = applied.value;
      return shown !== null &&
        (start.value !== shown.start || end.value !== shown.end || granularity.value !== shown.granularity);
    });
    const csvHref = computed(() => {
      const query = applied.value;
      return query
        ? `/api/query${
          queryString({ start: query.start, end: query.end, granularity: query.granularity, format: "csv" })
        }`
        : null;
    });
    const view = computed<RangeView | null>(() => {
      const json = result.value;
      const query = applied.value;
      const zone = timeZone.value;
      const known = limits.value;
      if (!json || !query || !zone) return null;
      const all = seriesColumns(json.series, zone, {
        firstDate: known ? known.min : null,
        nowSec: answeredAtSec.value,
      });
      if (!query.hours) {
        return { columns: all, upBytes: json.summary.up_bytes, downBytes: json.summary.down_bytes };
      }
      const columns = sliceColumns(all, query.hours.fromSec, query.hours.toSec);
      return { columns, ...sumColumns(columns) };
    });
    let sequence = 0;
    let requested: RangeQuery | null = null;
    /** The quick button clicked last: the one shown pressed when another selects the same range. */
    let clickedQuick: QuickRangeId = "today";

    /**
     * Loads `query`; the address records it (`history`) only once it is shown. When it fails, what is shown
     * stays, and so do the address and, unless `keepsInputs` (the person's own typing), the inputs.
     */
    const run = async (
      query: RangeQuery,
      options: { readonly history?: "push" | "replace" | "none"; readonly keepsInputs?: boolean } = {},
    ) => {
      const { history = "none", keepsInputs = true } = options;
      const zone = timeZone.peek();
      if (!zone) return;
      const mine = ++sequence;
      requested = query;
      isLoading.value = true;
      try {
        const [series, top, dates] = await Promise.all([
          getJson<QueryJson>(
            `/api/query${
              queryString({ start: query.start, end: query.end, granularity: query.granularity })
            }`,
          ),
          loadsTopRemotes
            ? getJson<TopIpsJson>(
              `/api/top_ips${queryString({ ...topIpsBounds(query, zone), limit: TOP_IPS_LIMIT })}`,
            )
            : null,
          getJson<DateRangeJson>("/api/date_range"),
        ]);
        if (mine !== sequence) return;
        if (history !== "none" && isRouteShown()) {
          const hash = rangeHash(query, path);
          if (history === "replace") globalThis.history.replaceState(null, "", hash);
          else if (hash !== location.hash) globalThis.history.pushState(null, "", hash);
        }
        // Applied together with its result, so the chart never draws old rows with the new granularity.
        batch(() => {
          applied.value = query;
          activeQuick.value = quickRangeIdOf(query, localDateAt(zone, Date.now() / 1000), clickedQuick);
          result.value = series;
          answeredAtSec.value = Date.now() / 1000;
          topIps.value = top?.top_ips ?? null;
          limits.value = dates;
          error.value = null;
        });
      } catch (e) {
        if (mine === sequence) {
          error.value = messageOf(e);
          if (!keepsInputs) showApplied(history);
        }
      } finally {
        if (mine === sequence) isLoading.value = false;
      }
    };

    /** Puts the shown range back into the inputs, and into the address that Back or Forward changed. */
    const showApplied = (history: "push" | "replace" | "none") => {
      const shown = applied.peek();
      if (!shown) return;
      if (history === "none" && isRouteShown()) {
        globalThis.history.replaceState(null, "", rangeHash(shown, path));
      }
      batch(() => {
        start.value = shown.start;
        end.value = shown.end;
        granularity.value = shown.granularity;
      });
    };

    /** Puts `query` into the inputs and loads it; `history` says how the address records it once shown. */
    const load = (query: RangeQuery, history: "push" | "replace" | "none") => {
      if (!timeZone.peek()) return;
      batch(() => {
        start.value = query.start;
        end.value = query.end;
        granularity.value = query.granularity;
      });
      run(query, { history, keepsInputs: false });
    };

    const defaultQuery = (zone: string) =>
      quickRange(DEFAULT_QUICK_RANGE, localDateAt(zone, Date.now() / 1000));

    // The first range, as soon as the server zone is known (quick ranges need today's date in it).
    effect(() => {
      const zone = timeZone.value;
      if (!zone || requested) return;
      load(initial ?? defaultQuery(zone), initial ? "none" : "replace");
    });
    // Back and Forward (and an edited address): show the range the address names.
    effect(() => {
      const onAddress = () => {
        const zone = timeZone.peek();
        if (!zone || !isRouteShown()) return;
        const query = rangeFromHash(location.hash);
        if (!query) load(defaultQuery(zone), "replace");
        else if (!requested || !isSameRange(query, requested)) load(query, "none");
      };
      addEventListener("popstate", onAddress);
      addEventListener("hashchange", onAddress);
      return () => {
        removeEventListener("popstate", onAddress);
        removeEventListener("hashchange", onAddress);
      };
    });
    // Every 2 minutes: newer data may widen the date limits, and a range that includes today has grown.
    effect(() =>
      poll(REFRESH_INTERVAL_MS, async () => {
        const query = applied.peek();
        const zone = timeZone.peek();
        if (query && zone && query.end >= localDateAt(zone, Date.now() / 1000)) {
          await run(query);
          return;
        }
        try {
          limits.value = await getJson<DateRangeJson>("/api/date_range");
        } catch (e) {
          error.value = messageOf(e);
        }
      })
    );

    return {
      start,
      end,
      granularity,
      applied,
      result,
      view,
      topIps,
      error,
      isLoading,
      limits,
      problem,
      csvHref,
      activeQuick,
      isStale,
      /** Selects a quick button's range (a history step). */
      applyQuick: action((id: QuickRangeId) => {
        const zone = timeZone.value;
        clickedQuick = id;
        if (zone) load(quickRange(id, localDateAt(zone, Date.now() / 1000)), "push");
      }),
      /** Opens the periods `first`..`last` of a chart (a click: one period; a drag: several), a history step. */
      narrow: action((first: PeriodRef, last: PeriodRef) => load(narrowRange(first, last), "push")),
      /** Shows `query` (a plan's billing period), a history step. */
      show: action((query: RangeQuery) => load(query, "push")),
      setStart: action((value: string) => {
        start.value = value;
      }),
      setEnd: action((value: string) => {
        end.value = value;
      }),
      setGranularity: action((value: Granularity) => {
        granularity.value = value;
      }),
      /** Runs the range as typed, unless it has a problem (a history step). */
      submit: action(() => {
        if (problem.value || !start.value || !end.value) return;
        const query = { start: start.value, end: end.value, granularity: granularity.value };
        run(query, { history: "push", keepsInputs: true });
      }),
    };
  },
);

/** An instance of RangeModel. */
export type Range = InstanceType<typeof RangeModel>;
