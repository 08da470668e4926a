import assert from "node:assert/strict";
import {
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  localDayStartSec,
  localPeriods,
} from "./local_periods.ts";
import { utcSec } from "./_testing.ts";

const HOUR = 3600;

Deno.test("localPeriods() gives America/New_York's spring-forward day 23 one-hour periods", () => {
  const hours = localPeriods("2024-03-10", "2024-03-10", "hour", "America/New_York");
  assert.equal(hours.length, 23);
  assert.deepEqual(hours.slice(0, 3).map((p) => p.label), [
    "2024-03-10 00:00",
    "2024-03-10 01:00",
    "2024-03-10 03:00",
  ]);
  assert.equal(hours[0].startSec, utcSec("2024-03-10T05:00:00Z"));
  assert.equal(hours[22].endSec, utcSec("2024-03-11T04:00:00Z"));
  for (const p of hours) assert.equal(p.endSec - p.startSec, HOUR, p.label);
  const [day] = localPeriods("2024-03-10", "2024-03-10", "day", "America/New_York");
  assert.equal(day.endSec - day.startSec, 23 * HOUR);
});

Deno.test("localPeriods() gives America/New_York's fall-back day 25 periods with 01:00 twice", () => {
  const hours = localPeriods("2024-11-03", "2024-11-03", "hour", "America/New_York");
  assert.equal(hours.length, 25);
  assert.deepEqual(hours.slice(0, 4).map((p) => p.label), [
    "2024-11-03 00:00",
    "2024-11-03 01:00",
    "2024-11-03 01:00",
    "2024-11-03 02:00",
  ]);
  assert.equal(hours[1].startSec, utcSec("2024-11-03T05:00:00Z"));
  assert.equal(hours[2].startSec, utcSec("2024-11-03T06:00:00Z"));
  const [day] = localPeriods("2024-11-03", "2024-11-03", "day", "America/New_York");
  assert.equal(day.endSec - day.startSec, 25 * HOUR);
});

Deno.test("localPeriods() starts Asia/Kolkata days at 18:30 UTC and Asia/Kathmandu days at 18:15 UTC", () => {
  const [kolkata] = localPeriods("2024-06-01", "2024-06-01", "day", "Asia/Kolkata");
  assert.deepEqual(kolkata, {
    label: "2024-06-01",
    startSec: utcSec("2024-05-31T18:30:00Z"),
    endSec: utcSec("2024-06-01T18:30:00Z"),
  });
  const kathmandu = localPeriods("2024-06-01", "2024-06-01", "hour", "Asia/Kathmandu");
  assert.equal(kathmandu.length, 24);
  assert.equal(kathmandu[0].startSec, utcSec("2024-05-31T18:15:00Z"));
  assert.equal(kathmandu[10].label, "2024-06-01 10:00");
  assert.equal(kathmandu[10].startSec, utcSec("2024-06-01T04:15:00Z"));
});

Deno.test("localPeriods() clips months to the range and keeps them contiguous", () => {
  const months = localPeriods("2024-01-15", "2024-03-10", "month", "Europe/Berlin");
  assert.deepEqual(months.map((m) => m.label), ["2024-01", "2024-02", "2024-03"]);
  assert.equal(months[0].startSec, utcSec("2024-01-14T23:00:00Z"));
  assert.equal(months[1].startSec, utcSec("2024-01-31T23:00:00Z"));
  assert.equal(months[2].endSec, utcSec("2024-03-10T23:00:00Z"));
  for (let i = 1; i < months.length; i++) assert.equal(months[i].startSec, months[i - 1].endSec);
  const days = localPeriods("2023-12-30", "2024-01-02", "day", "UTC");
  assert.deepEqual(days.map((d) => d.label), ["2023-12-30", "2023-12-31", "2024-01-01", "2024-01-02"]);
});

Deno.test("localDateOf() and localDayStartSec() agree with localDateStartSec() across zones", () => {
  const sec = utcSec("2024-06-01T18:20:00Z");
  assert.equal(localDateOf(sec, "Asia/Kolkata"), "2024-06-01");
  assert.equal(localDateOf(sec, "Asia/Kathmandu"), "2024-06-02");
  assert.equal(localDayStartSec(sec, "Asia/Kathmandu"), utcSec("2024-06-01T18:15:00Z"));
  assert.equal(localDateStartSec("2024-06-02", "Asia/Kathmandu"), utcSec("2024-06-01T18:15:00Z"));
});

Deno.test("localDateEndSec() ends a 25-hour fall-back day where the next local day starts", () => {
  const zone = "America/New_York";
  assert.equal(localDateEndSec("2024-11-03", zone), localDateStartSec("2024-11-04", zone));
  assert.equal(localDateEndSec("2024-11-03", zone) - localDateStartSec("2024-11-03", zone), 25 * HOUR);
  assert.equal(localDateEndSec("2024-12-31", "Asia/Kathmandu"), utcSec("2024-12-31T18:15:00Z"));
});
