/**
 * The forecast of a period's total at its end, with a low–high range, from the recent daily profile
 * (docs/plans.md "Forecast"): the mean bytes of each weekday over the last 28 complete local days once 14 are
 * known (every weekday seen twice), else the mean of the days known, else today's rate so far. The range is
 * the expected rest ± 1.645 standard deviations of that rest: each day's own deviation from its profile
 * (independent days: it grows with the square root of the days left) plus the error of the profile's means,
 * which every day left shares (it grows with the days left): a 90% interval if days were normal and
 * independent. tests/bench/forecast_bench.ts measures how often it holds.
 */

/** Bytes of one local day. */
export interface DailyBytes {
  readonly date: string;
  readonly bytes: number;
}

/** What the forecast of one period knows. */
export interface ForecastInput {
  /** Bytes of the period so far, today's included. */
  readonly usedBytes: number;
  /** Today's bytes so far. */
  readonly todayBytes: number;
  /** Local today ("YYYY-MM-DD"). */
  readonly today: string;
  /** Share of today already past, 0..1. */
  readonly dayFraction: number;
  /** The period's last local date (inclusive). */
  readonly periodEnd: string;
  /** Complete local days before today, oldest first, only days since counting began; the last 28 are used. */
  readonly history: readonly DailyBytes[];
}

/** The period's expected total and range, and the expected full total of each day from today to the end. */
export interface Forecast {
  readonly bytes: number;
  readonly lowBytes: number;
  readonly highBytes: number;
  /** Today (its full-day total) first, then each later day of the period. */
  readonly expectedDays: readonly DailyBytes[];
}

/** Days of history the profile looks back on: four of each weekday. */
export const PROFILE_DAYS = 28;
/** Complete days needed before the profile tells weekdays apart: two of each. */
export const WEEKDAY_PROFILE_MIN_DAYS = 14;
/** z of a two-sided 90% interval of a normal distribution. */
const Z_90 = 1.645;

/** Forecasts the period of `input`; pure. */
export function forecastPeriod(input: ForecastInput): Forecast {
  const history = input.history.slice(-PROFILE_DAYS);
  const profile = dailyProfile(history, input);
  const today = Temporal.PlainDate.from(input.today);
  const end = Temporal.PlainDate.from(input.periodEnd);
  const restOfToday = 1 - Math.min(1, Math.max(0, input.dayFraction));
  const expectedDays: DailyBytes[] = [{
    date: input.today,
    bytes: input.todayBytes + profile.rateOf(today.dayOfWeek) * restOfToday,
  }];
  let restBytes = expectedDays[0].bytes - input.todayBytes;
  let day = today.add({ days: 1 });
  let fullDays = 0;
  for (; Temporal.PlainDate.compare(day, end) <= 0; day = day.add({ days: 1 }), fullDays++) {
    const bytes = profile.rateOf(day.dayOfWeek);
    expectedDays.push({ date: day.toString(), bytes });
    restBytes += bytes;
  }
  const daysLeft = fullDays + restOfToday;
  const spread = Z_90 * profile.deviationBytes *
    Math.sqrt(daysLeft + (daysLeft * daysLeft) / profile.samplesPerMean);
  const bytes = Math.round(input.usedBytes + restBytes);
  return {
    bytes,
    lowBytes: Math.max(input.usedBytes, Math.round(bytes - spread)),
    highBytes: Math.round(bytes + spread),
    expectedDays,
  };
}

interface DailyProfile {
  /** Expected bytes of a whole day of ISO weekday `weekday`. */
  rateOf(weekday: number): number;
  /** Standard deviation of a day around its expectation. */
  readonly deviationBytes: number;
  /** Days behind each mean: its own error is deviationBytes ÷ √samplesPerMean. */
  readonly samplesPerMean: number;
}

function dailyProfile(history: readonly DailyBytes[], input: ForecastInput): DailyProfile {
  if (history.length >= WEEKDAY_PROFILE_MIN_DAYS) {
    const sums = new Array<number>(8).fill(0);
    const counts = new Array<number>(8).fill(0);
    for (const d of history) {
      const weekday = Temporal.PlainDate.from(d.date).dayOfWeek;
      sums[weekday] += d.bytes;
      counts[weekday]++;
    }
    const means = sums.map((sum, w) => counts[w] > 0 ? sum / counts[w] : 0);
    const residuals = history.map((d) => d.bytes - means[Temporal.PlainDate.from(d.date).dayOfWeek]);
    const perMean = history.length / 7;
    // In-sample residuals are smaller than the truth by (k − 1) / k in variance, with k days per mean.
    const deviationBytes = rootMeanSquare(residuals) * Math.sqrt(perMean / (perMean - 1));
    return { rateOf: (w) => means[w], deviationBytes, samplesPerMean: perMean };
  }
  if (history.length > 0) {
    const mean = history.reduce((sum, d) => sum + d.bytes, 0) / history.length;
    const n = history.length;
    const deviation = n > 1
      ? rootMeanSquare(history.map((d) => d.bytes - mean)) * Math.sqrt(n / (n - 1))
      : mean;
    return { rateOf: () => mean, deviationBytes: deviation, samplesPerMean: n };
  }
  // The first day: today's pace, once an hour of it is known; its spread is as large as the pace itself.
  const rate = input.dayFraction >= 1 / 24 ? input.todayBytes / input.dayFraction : 0;
  return { rateOf: () => rate, deviationBytes: rate, samplesPerMean: 1 };
}

function rootMeanSquare(values: readonly number[]): number {
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / Math.max(1, values.length));
}
