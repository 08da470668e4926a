import assert from "node:assert/strict";
import type { CaptureJson, HealthJson, StoreStatusJson } from "../../api_types.ts";
import { healthProblems } from "./health_problems.ts";

const CAPTURE: CaptureJson = {
  state: "capturing",
  iface: "eth0",
  link_type: 1,
  socket_type: "raw",
  message: null,
  kernel_packets: 0,
  kernel_drops: 0,
  kernel_queue_freezes: 0,
  malformed_packets: 0,
  counted_packets: 0,
  last_batch: null,
  opens: 1,
};
const STORE: StoreStatusJson = { last_saved: null, pending_remote_rows: 0, error_kind: null, error: null };

function health(parts: Partial<HealthJson>): HealthJson {
  return {
    status: "degraded",
    ts: "2026-11-18T16:36:40+05:30",
    version: "0.1.0",
    time_zone: "Asia/Kolkata",
    problems: [],
    capture: CAPTURE,
    store: STORE,
    clash: null,
    ...parts,
  };
}

Deno.test("healthProblems() is empty while capture, store and Clash are well", () => {
  assert.deepEqual(healthProblems(health({ status: "ok" })), []);
  assert.deepEqual(healthProblems(health({ capture: { ...CAPTURE, state: "starting" } })), []);
});

Deno.test("healthProblems() gives each known state its message key and keeps the server's text as detail", () => {
  const message = 'Cannot open a packet socket on "eth0": netledger needs CAP_NET_RAW';
  const problems = healthProblems(health({
    capture: { ...CAPTURE, state: "no_permission", message },
    store: { ...STORE, error_kind: "full", error: "Cannot save: disk full (SQLITE_FULL)" },
    clash: { state: "unauthorized", message: "401 from the core", core: null, version: null, since: 0 },
  }));
  assert.deepEqual(problems, [
    {
      code: "capture:no_permission",
      key: "capture_no_permission",
      values: { iface: "eth0" },
      detail: message,
    },
    { code: "store:full", key: "store_full", values: {}, detail: "Cannot save: disk full (SQLITE_FULL)" },
    { code: "clash:unauthorized", key: "mon_state_unauthorized", values: {}, detail: "401 from the core" },
  ]);
});

Deno.test("healthProblems() shows an unknown state, or the short unauthenticated answer, in the server's words", () => {
  const future = healthProblems(health({
    capture: { ...CAPTURE, state: "paused" as CaptureJson["state"], message: "Paused by the operator" },
  }));
  assert.deepEqual(future, [{
    code: "capture:paused",
    key: "status_problem",
    values: { text: "capture: Paused by the operator" },
    detail: null,
  }]);
  const reduced = { status: "degraded" as const, ts: "2026-11-18T16:36:40Z", problems: ["store: full"] };
  assert.deepEqual(healthProblems(reduced), [
    { code: "store", key: "status_problem", values: { text: "store: full" }, detail: null },
  ]);
});
