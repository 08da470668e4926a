import assert from "node:assert/strict";
import { formatDuration, formatTime } from "./format_time.ts";

Deno.test("formatDuration() picks the two largest units", () => {
  assert.equal(formatDuration(12), "12 s");
  assert.equal(formatDuration(250), "4 min 10 s");
  assert.equal(formatDuration(7500), "2 h 05 min");
  assert.equal(formatDuration(-3), "0 s");
});

Deno.test("formatTime() writes the local time of the server zone", () => {
  assert.equal(formatTime(1_795_000_000, "Asia/Kolkata"), "2026-11-18 16:36:40");
});
