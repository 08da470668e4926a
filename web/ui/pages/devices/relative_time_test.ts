import assert from "node:assert/strict";
import { relativeTime } from "./relative_time.ts";

Deno.test("relativeTime() says how long ago in the largest unit that fits, in the page's language", () => {
  const now = 1_800_000_000;
  assert.equal(relativeTime(now - 30, now, "en"), "30 seconds ago");
  assert.equal(relativeTime(now - 5 * 60, now, "en"), "5 minutes ago");
  assert.equal(relativeTime(now - 2 * 3600 - 59, now, "en"), "2 hours ago");
  assert.equal(relativeTime(now - 86400, now, "en"), "yesterday");
  assert.equal(relativeTime(now - 3 * 86400, now, "ru"), "3 дня назад");
  assert.equal(relativeTime(now + 10, now, "en"), "now");
});
