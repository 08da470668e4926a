/**
 * The top-remotes table of the applied range: its first rows come with the range (RangeModel.topIps, answered
 * together with the chart, so both always show one range), more on demand (10, then 50, then 200) from
 * /api/top_ips for the same range down to its hours; the sort column and the address search.
 */
import { action, computed, createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import { getJson, queryString, type TopIpJson, type TopIpsJson } from "../api.ts";
import { isSameRange, type RangeQuery } from "../lib/quick_ranges.ts";
import { defaultDescending, rankRemotes, type RemoteSortKey } from "../lib/rank_remotes.ts";
import { topIpsBounds } from "../lib/range_steps.ts";
import { messageOf } from "./poll.ts";
import type { Range } from "./range_model.ts";

/** Rows shown before and after each "show more": the range's own first answer, then two larger asks. */
export const TOP_REMOTES_STEPS: readonly number[] = [10, 50, 200];

/** Rows of /api/top_ips asked for `query` with `limit`. */
interface MoreRows {
  readonly query: RangeQuery;
  readonly limit: number;
  readonly rows: readonly TopIpJson[];
}

/** Table state over `range`; `timeZone` is the server zone, which turns hours into the API's bounds. */
export const TopRemotesModel = createModel((range: Range, timeZone: ReadonlySignal<string | null>) => {
  const limit = signal(TOP_REMOTES_STEPS[0]);
  const more = signal<MoreRows | null>(null);
  const error = signal<string | null>(null);
  const isLoading = signal(false);
  const sortKey = signal<RemoteSortKey>("total");
  const isDescending = signal(true);
  const search = signal("");

  /** The applied range's rows: the larger answer once it is there for this range, else the first 10. */
  const rows = computed<readonly TopIpJson[] | null>(() => {
    const query = range.applied.value;
    const larger = more.value;
    if (limit.value > TOP_REMOTES_STEPS[0] && larger && query && isSameRange(larger.query, query)) {
      return larger.rows;
    }
    return range.topIps.value;
  });
  const ranked = computed(() =>
    rankRemotes(rows.value ?? [], {
      key: sortKey.value,
      isDescending: isDescending.value,
      search: search.value,
    })
  );
  const nextLimit = computed(() => {
    const shown = rows.value?.length ?? 0;
    const next = TOP_REMOTES_STEPS.find((step) => step > limit.value);
    // Fewer rows than asked: the range has no more addresses.
    return next !== undefined && shown >= limit.value ? next : null;
  });

  // Past the first step, every answer of the range (a new range, or its 2-minute refresh) asks for as many.
  effect(() => {
    const query = range.applied.value;
    void range.result.value;
    const wanted = limit.value;
    const zone = timeZone.value;
    if (!query || !zone || wanted <= TOP_REMOTES_STEPS[0]) {
      isLoading.value = false;
      return;
    }
    let isCurrent = true;
    isLoading.value = true;
    getJson<TopIpsJson>(`/api/top_ips${queryString({ ...topIpsBounds(query, zone), limit: wanted })}`).then(
      (json) => {
        if (!isCurrent) return;
        more.value = { query, limit: wanted, rows: json.top_ips };
        error.value = null;
      },
      (e) => {
        if (isCurrent) error.value = messageOf(e);
      },
    ).finally(() => {
      if (isCurrent) isLoading.value = false;
    });
    return () => {
      isCurrent = false;
    };
  });

  return {
    rows,
    ranked,
    limit,
    nextLimit,
    error,
    isLoading,
    sortKey,
    isDescending,
    search,
    /** Asks for the next step of rows. */
    showMore: action(() => {
      if (nextLimit.value !== null) limit.value = nextLimit.value;
    }),
    /** Sorts by `key`; the same key again reverses the order. */
    sortBy: action((key: RemoteSortKey) => {
      if (sortKey.value === key) {
        isDescending.value = !isDescending.value;
      } else {
        sortKey.value = key;
        isDescending.value = defaultDescending(key);
      }
    }),
    setSearch: action((text: string) => {
      search.value = text;
    }),
  };
});
