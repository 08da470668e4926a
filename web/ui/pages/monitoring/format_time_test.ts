import assert from "node:assert/strict";
import { formatDuration, formatTime } from "./format_time.ts";

Deno.test("formatDuration() writes the two largest units in the reader's language", () => {
  const cases: [number, string, string][] = [
    [0, "en", "0s"],
    [-3, "en", "0s"],
    [12, "en", "12s"],
    [250, "en", "4m 10s"],
    [7200, "en", "2h"],
    [7500, "en", "2h 5m"],
    [3 * 86_400 + 4 * 3600 + 59, "en", "3d 4h"],
    [7500, "ru", "2 ч 5 мин"],
    [7500, "zh-CN", "2小时5分钟"],
  ];
  for (const [seconds, locale, expected] of cases) {
    assert.equal(formatDuration(seconds, locale), expected, `${seconds} s in ${locale}`);
  }
});

Deno.test("formatTime() writes the local time of the server zone", () => {
  assert.equal(formatTime(1_795_000_000, "Asia/Kolkata"), "2026-11-18 16:36:40");
});

Deno.test("formatDuration() falls back to Intl.NumberFormat's units where Intl.DurationFormat is missing", () => {
  const intl = Intl as { DurationFormat?: unknown };
  const durationFormat = intl.DurationFormat;
  delete intl.DurationFormat;
  try {
    assert.equal(formatDuration(7500, "en-GB"), "2h 5m"); // a locale not yet formatted with DurationFormat
    assert.equal(formatDuration(7500, "ru-RU"), "2 ч 5 мин");
  } finally {
    intl.DurationFormat = durationFormat;
  }
});
