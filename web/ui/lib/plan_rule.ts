/**
 * A plan's period rule in PLAN= syntax ("calendar", "monthly:15", "every:30:2026-01-07", "weekly:mon"), split
 * into the fields of the Plans page's form and joined back; and a quota in bytes written as the form shows it.
 * The server parses both (the 400 names the bad field): these only carry the person's input.
 */

/** The kinds of period a plan can have, in the form's order. */
export const PERIOD_KINDS = ["calendar", "monthly", "every", "weekly"] as const;
export type PeriodKind = typeof PERIOD_KINDS[number];

/** Weekdays as PLAN= writes them, Monday first (ISO 8601). */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** The form's period fields; those that the kind does not use keep their last value. */
export interface PeriodFields {
  readonly kind: PeriodKind;
  /** Day of month for "monthly", as typed. */
  readonly day: string;
  /** N for "every", as typed. */
  readonly days: string;
  /** First day for "every", YYYY-MM-DD. */
  readonly startDate: string;
  readonly weekday: typeof WEEKDAYS[number];
}

/** The fields of a new plan: a calendar month, with sensible values behind the other kinds. */
export function defaultPeriodFields(today: string): PeriodFields {
  return { kind: "calendar", day: "1", days: "30", startDate: today, weekday: "mon" };
}

/** `rule` split into fields over `base`; a rule it does not know leaves `base`. */
export function periodFields(rule: string, base: PeriodFields): PeriodFields {
  const [kind, first, second] = rule.split(":");
  switch (kind) {
    case "calendar":
      return { ...base, kind };
    case "monthly":
      return { ...base, kind, day: first ?? base.day };
    case "every":
      return { ...base, kind, days: first ?? base.days, startDate: second ?? base.startDate };
    case "weekly": {
      const weekday = WEEKDAYS.find((w) => w === first);
      return { ...base, kind, weekday: weekday ?? base.weekday };
    }
    default:
      return base;
  }
}

/** The PLAN= rule the fields name, with their values trimmed. */
export function periodRule(fields: PeriodFields): string {
  switch (fields.kind) {
    case "calendar":
      return "calendar";
    case "monthly":
      return `monthly:${fields.day.trim()}`;
    case "every":
      return `every:${fields.days.trim()}:${fields.startDate}`;
    case "weekly":
      return `weekly:${fields.weekday}`;
  }
}

const QUOTA_UNITS: readonly (readonly [string, number])[] = [
  ["PB", 1e15],
  ["PiB", 2 ** 50],
  ["TB", 1e12],
  ["TiB", 2 ** 40],
  ["GB", 1e9],
  ["GiB", 2 ** 30],
  ["MB", 1e6],
  ["MiB", 2 ** 20],
];

/**
 * A quota as the form shows it: the largest unit that writes it exactly with up to three decimals, decimal
 * before binary ("1.2TB", "500GiB"), else its bytes; "" without a cap.
 */
export function quotaText(bytes: number | null): string {
  if (bytes === null) return "";
  for (const [unit, size] of QUOTA_UNITS) {
    const thousandths = Math.round(bytes / size * 1000);
    if (thousandths >= 1000 && thousandths * size === bytes * 1000) return `${thousandths / 1000}${unit}`;
  }
  return String(bytes);
}
