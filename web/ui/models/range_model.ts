/**
 * The custom range query: editable start/end/granularity, the applied query with its result and top remote
 * IPs, and the date limits from /api/date_range. Dates are local dates of the server zone.
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
import { type Granularity, quickRange, type QuickRangeId, type RangeQuery } from "../lib/quick_ranges.ts";
import { rangeHash } from "../lib/range_link.ts";
import { localDateAt } from "../lib/zoned_time.ts";
import { messageOf, poll } from "./poll.ts";
import { hashPath } from "./route_model.ts";

const TOP_IPS_LIMIT = 10;
const REFRESH_INTERVAL_MS = 120_000;

/** Why the range cannot be queried as typed; null when it can. */
export type RangeProblem = "bad_order" | null;

/**
 * Range state for one page; `timeZone` is the server zone (null until /api/health answered). The first
 * range is `initial` (from the address) or else today by hour; each applied range is written back to the
 * address while the dashboard route is shown.
 */
export const RangeModel = createModel(
  (timeZone: ReadonlySignal<string | null>, initial: RangeQuery | null) => {
    const start = signal("");
    const end = signal("");
    const granularity = signal<Granularity>("hour");
    /** The quick button whose range is in the inputs, until one is edited by hand. */
    const activeQuick = signal<QuickRangeId | null>(null);
    const applied = signal<RangeQuery | null>(null);
    const result = signal<QueryJson | null>(null);
    const topIps = signal<readonly TopIpJson[] | null>(null);
    const error = signal<string | null>(null);
    const isLoading = signal(false);
    const limits = signal<DateRangeJson>({ min: null, max: null });
    const problem = computed<RangeProblem>(() =>
      start.value && end.value && start.value > end.value ? "bad_order" : null
    );
    const csvHref = computed(() => {
      const query = applied.value;
      return query ? `/api/query${queryString({ ...query, format: "csv" })}` : null;
    });
    let sequence = 0;

    const run = async (query: RangeQuery) => {
      const mine = ++sequence;
      isLoading.value = true;
      try {
        const [series, top] = await Promise.all([
          getJson<QueryJson>(`/api/query${queryString({ ...query })}`),
          getJson<TopIpsJson>(
            `/api/top_ips${queryString({ start: query.start, end: query.end, limit: TOP_IPS_LIMIT })}`,
          ),
        ]);
        if (mine !== sequence) return;
        // Applied together with its result, so the chart never draws old rows with the new granularity.
        if (hashPath(location.hash) === "/") history.replaceState(null, "", rangeHash(query));
        batch(() => {
          applied.value = query;
          result.value = series;
          topIps.value = top.top_ips;
          error.value = null;
        });
      } catch (e) {
        if (mine === sequence) error.value = messageOf(e);
      } finally {
        if (mine === sequence) isLoading.value = false;
      }
    };

    const applyQuick = action((id: QuickRangeId) => {
      const zone = timeZone.value;
      if (!zone) return;
      const query = quickRange(id, localDateAt(zone, Date.now() / 1000));
      start.value = query.start;
      end.value = query.end;
      granularity.value = query.granularity;
      activeQuick.value = id;
      run(query);
    });

    // The first range, as soon as the server zone is known (quick ranges need today's date in it).
    effect(() => {
      if (!timeZone.value || applied.peek()) return;
      if (!initial) {
        applyQuick("today");
        return;
      }
      batch(() => {
        start.value = initial.start;
        end.value = initial.end;
        granularity.value = initial.granularity;
      });
      run(initial);
    });
    // Every 2 minutes: newer data may widen the date limits, and a range that includes today has grown.
    effect(() =>
      poll(REFRESH_INTERVAL_MS, async () => {
        const query = applied.peek();
        const zone = timeZone.peek();
        if (query && zone && query.end >= localDateAt(zone, Date.now() / 1000)) run(query);
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
      topIps,
      error,
      isLoading,
      limits,
      problem,
      csvHref,
      applyQuick,
      activeQuick,
      setStart: action((value: string) => {
        start.value = value;
        activeQuick.value = null;
      }),
      setEnd: action((value: string) => {
        end.value = value;
        activeQuick.value = null;
      }),
      setGranularity: action((value: Granularity) => {
        granularity.value = value;
        activeQuick.value = null;
      }),
      /** Runs the range as typed, unless it has a problem. */
      submit: action(() => {
        if (problem.value || !start.value || !end.value) return;
        run({ start: start.value, end: end.value, granularity: granularity.value });
      }),
    };
  },
);

/** An instance of RangeModel. */
export type Range = InstanceType<typeof RangeModel>;
