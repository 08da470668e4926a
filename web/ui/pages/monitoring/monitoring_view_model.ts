/**
 * What the Monitoring page shows, kept in its address (monitoring_address.ts): the range of the history, the
 * clients table and the client detail (today by hour unless the address names one), and the client open in
 * detail. Each change is a step of the browser's history; closing a detail opened here goes back that step,
 * so Back never reopens it.
 */
import { action, computed, createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import {
  isSameRange,
  quickRange,
  type QuickRangeId,
  quickRangeIdOf,
  type RangeQuery,
} from "../../lib/quick_ranges.ts";
import { localDateAt } from "../../lib/zoned_time.ts";
import { hashPath } from "../../models/route_model.ts";
import { type MonitoringAddress, monitoringAddressOf, monitoringHash } from "./monitoring_address.ts";

/** How often the default range checks that today is still today. */
const DAY_CHECK_MS = 60_000;
/** `history.state` of a step that opened a client's detail. */
const DETAIL_STATE = "monitoring-detail";

/** The selection; `timeZone` is the server zone (null until /api/health answered). */
export const MonitoringViewModel = createModel((timeZone: ReadonlySignal<string | null>) => {
  const address = signal(monitoringAddressOf(location.hash));
  const today = signal<string | null>(null);
  effect(() => {
    const zone = timeZone.value;
    if (!zone) return;
    const update = () => today.value = localDateAt(zone, Date.now() / 1000);
    update();
    const timer = setInterval(update, DAY_CHECK_MS);
    return () => clearInterval(timer);
  });
  effect(() => {
    const onAddress = () => {
      if (hashPath(location.hash) === "/monitoring") address.value = monitoringAddressOf(location.hash);
    };
    addEventListener("popstate", onAddress);
    addEventListener("hashchange", onAddress);
    return () => {
      removeEventListener("popstate", onAddress);
      removeEventListener("hashchange", onAddress);
    };
  });
  /** The range shown; null until the server zone is known. Kept while equal, so opening a client reloads nothing. */
  const range = signal<RangeQuery | null>(null);
  effect(() => {
    const next = address.value.range ?? (today.value ? quickRange("today", today.value) : null);
    const current = range.peek();
    if (next === null || current === null || !isSameRange(next, current)) range.value = next;
  });
  /** The quick button clicked last: the one shown pressed when another selects the same range. */
  const clickedQuick = signal<QuickRangeId>("today");
  const activeQuick = computed(() =>
    range.value && today.value ? quickRangeIdOf(range.value, today.value, clickedQuick.value) : null
  );
  const client = computed(() => address.value.client);
  const go = (next: MonitoringAddress, state: string | null) => {
    history.pushState(state, "", monitoringHash(next));
    address.value = next;
  };
  return {
    range: range as ReadonlySignal<RangeQuery | null>,
    activeQuick,
    today,
    client,
    /** The hash that opens `ip` in detail over the current range (for links). */
    hashForClient: (ip: string) => monitoringHash({ ...address.value, client: ip }),
    /** Shows `next`, chosen with the quick button `quick` if any. */
    setRange: action((next: RangeQuery, quick: QuickRangeId = "today") => {
      clickedQuick.value = quick;
      go({ ...address.value, range: next }, null);
    }),
    openClient: action((ip: string) => go({ ...address.value, client: ip }, DETAIL_STATE)),
    closeClient: action(() => {
      if (history.state === DETAIL_STATE) {
        history.back();
        return;
      }
      const next = { ...address.value, client: null };
      history.replaceState(null, "", monitoringHash(next));
      address.value = next;
    }),
  };
});

/** An instance of MonitoringViewModel. */
export type MonitoringView = InstanceType<typeof MonitoringViewModel>;
