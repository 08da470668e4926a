/**
 * Forecast quality (issue 16 "Show"): a synthetic year of daily traffic with weekly seasonality (weekends
 * heavier), a slow yearly swing and day-to-day noise, cut into calendar-month periods. For each period the
 * forecast is made after 7, 15 and 25 complete days and compared with the period's real total: the mean and
 * 90th-percentile absolute error, and how often the low–high range held the truth. A flat-mean forecast
 * (no weekday profile) of the same history is the same-run baseline. Not timed.
 *
 *   deno run -A tests/bench/forecast_bench.ts [--seed N]
 */
import { type DailyBytes, forecastPeriod } from "../../plans/mod.ts";

const seedArg = Deno.args.indexOf("--seed");
const seed = seedArg >= 0 ? Number(Deno.args[seedArg + 1]) : 16;
const GB = 1e9;
/** Weekday factors, Monday first: a household that streams more at weekends. */
const WEEKDAY_FACTOR = [0.8, 0.8, 0.85, 0.9, 1.1, 1.6, 1.5];

function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Two years of days (the first as warm-up history), noise lognormal with sigma 0.3. */
function syntheticDays(yearSeed: number): DailyBytes[] {
  const random = mulberry32(yearSeed);
  const days: DailyBytes[] = [];
  const first = Temporal.PlainDate.from("2025-01-01");
  for (let i = 0; i < 730; i++) {
    const day = first.add({ days: i });
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const yearly = 1 + 0.2 * Math.sin((2 * Math.PI * i) / 365);
    const bytes = 20 * GB * WEEKDAY_FACTOR[day.dayOfWeek - 1] * yearly * Math.exp(0.3 * normal - 0.045);
    days.push({ date: day.toString(), bytes: Math.round(bytes) });
  }
  return days;
}

interface Outcome {
  errors: number[];
  inRange: number;
}

const checkpoints = [7, 15, 25];
const results = new Map<string, Outcome>();
for (const profile of ["weekday", "flat"]) {
  for (const n of checkpoints) results.set(`${profile} ${n}`, { errors: [], inRange: 0 });
}
// Ten synthetic years (seeds seed..seed+9); the periods of each second year, whose first gives every forecast
// 28 days of history: 120 periods, enough for the range's coverage to mean something.
for (let run = 0; run < 10; run++) {
  const days = syntheticDays(seed + run);
  const index = new Map(days.map((d, i) => [d.date, i]));
  for (let month = 1; month <= 12; month++) {
    const start = Temporal.PlainDate.from({ year: 2026, month, day: 1 });
    const end = start.add({ months: 1 }).subtract({ days: 1 });
    const first = index.get(start.toString())!;
    const last = index.get(end.toString())!;
    const actual = days.slice(first, last + 1).reduce((sum, d) => sum + d.bytes, 0);
    for (const n of checkpoints) {
      const todayIndex = first + n;
      const used = days.slice(first, todayIndex).reduce((sum, d) => sum + d.bytes, 0);
      for (const profile of ["weekday", "flat"]) {
        const history = days.slice(todayIndex - 28, todayIndex);
        const forecast = forecastPeriod({
          usedBytes: used,
          todayBytes: 0,
          today: days[todayIndex].date,
          dayFraction: 0,
          periodEnd: end.toString(),
          // The flat baseline sees fewer days than the weekday profile needs (13 < 14), so it takes the mean.
          history: profile === "weekday" ? history : history.slice(-13),
        });
        const outcome = results.get(`${profile} ${n}`)!;
        outcome.errors.push(Math.abs(forecast.bytes - actual) / actual);
        if (forecast.lowBytes <= actual && actual <= forecast.highBytes) outcome.inRange++;
      }
    }
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(
  `forecast_bench (seeds ${seed}..${seed + 9}): 120 calendar-month periods, error of the period total`,
);
console.log("profile  day  mean error  p90 error  truth in low-high range");
for (const [key, outcome] of results) {
  const [profile, n] = key.split(" ");
  const sorted = outcome.errors.toSorted((a, b) => a - b);
  const mean = sorted.reduce((s, e) => s + e, 0) / sorted.length;
  const p90 = sorted[Math.ceil(0.9 * sorted.length) - 1];
  console.log(
    `${profile.padEnd(8)} ${n.padStart(3)}  ${pct(mean).padStart(10)}  ${pct(p90).padStart(9)}  ` +
      `${outcome.inRange}/${sorted.length}`,
  );
}
