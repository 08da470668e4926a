/**
 * The problems /api/health reports, as messages of the dashboard's language: each known capture state,
 * store error kind and Clash state has its own message key, and the server's English text (which names
 * paths, errno and fixes) becomes the detail under it (issue 13: the zh UI showed English banners).
 */
import type { CaptureStateJson, ClashStateJson, HealthJson, StoreStatusJson } from "../../api_types.ts";
import type { MessageKey } from "../i18n/i18n.ts";

/** One problem: a message key with its values, and the server's own words. */
export interface StatusProblem {
  /** "capture:no_permission", "store:full", "clash:unreachable": stable, for tests and list keys. */
  readonly code: string;
  readonly key: MessageKey;
  readonly values: Readonly<Record<string, string>>;
  /** The server's text for the same problem; null when it said nothing more. */
  readonly detail: string | null;
}

/** Capture states in which counting works; every other one is a problem. */
const CAPTURE_KEYS: Readonly<Record<Exclude<CaptureStateJson, "starting" | "capturing">, MessageKey>> = {
  interface_down: "capture_interface_down",
  waiting_for_interface: "capture_waiting_for_interface",
  no_permission: "capture_no_permission",
  failed: "capture_failed",
  stopped: "capture_stopped",
};

const STORE_KEYS: Readonly<Record<NonNullable<StoreStatusJson["error_kind"]>, MessageKey>> = {
  locked: "store_locked",
  full: "store_full",
  readonly: "store_readonly",
  corrupt: "store_corrupt",
  io: "store_io",
  unsupported: "store_unsupported",
  busy: "store_busy",
};

/** The Monitoring page's messages for the same states. */
const CLASH_KEYS: Readonly<Record<Exclude<ClashStateJson, "not_configured" | "connected">, MessageKey>> = {
  connecting: "mon_state_connecting",
  unauthorized: "mon_state_unauthorized",
  unreachable: "mon_state_unreachable",
  incompatible: "mon_state_incompatible",
};

function keyOf<K extends string>(table: Readonly<Record<K, MessageKey>>, code: string): MessageKey | null {
  return Object.hasOwn(table, code) ? table[code as K] : null;
}

/**
 * The problems of `health`, capture first. A state this dashboard does not know yet, and the short
 * `problems` lines of the answer an unauthenticated browser gets, show the server's text as they are.
 */
export function healthProblems(health: Partial<HealthJson>): StatusProblem[] {
  if (health.store === undefined) {
    return (health.problems ?? []).map((text) => ({
      code: text.split(":")[0],
      key: "status_problem",
      values: { text },
      detail: null,
    }));
  }
  const problems: StatusProblem[] = [];
  const add = (
    part: string,
    state: string,
    key: MessageKey | null,
    values: Record<string, string>,
    detail: string | null,
  ) =>
    problems.push(
      key === null
        ? {
          code: `${part}:${state}`,
          key: "status_problem",
          values: { text: `${part}: ${detail ?? state}` },
          detail: null,
        }
        : { code: `${part}:${state}`, key, values, detail },
    );
  const { capture, store, clash } = health;
  if (capture && capture.state !== "starting" && capture.state !== "capturing") {
    add(
      "capture",
      capture.state,
      keyOf(CAPTURE_KEYS, capture.state),
      { iface: capture.iface },
      capture.message,
    );
  }
  if (store.error !== null || store.error_kind !== null) {
    const kind = store.error_kind ?? "error";
    add("store", kind, keyOf(STORE_KEYS, kind) ?? "store_error", {}, store.error);
  }
  if (clash && clash.state !== "connected" && clash.state !== "not_configured") {
    add("clash", clash.state, keyOf(CLASH_KEYS, clash.state), {}, clash.message || null);
  }
  return problems;
}
