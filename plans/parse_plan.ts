/**
 * The PLAN= syntax (issue 16), which scripts and checks rely on: `NAME;PERIOD;COUNTS;QUOTA`, several plans
 * separated by `|`. PERIOD is `calendar`, `monthly:DAY` (1–31), `every:N:YYYY-MM-DD` or `weekly:mon`…`sun`;
 * COUNTS `total`, `upload` or `download`; QUOTA a size (parse_size.ts) or `none`. The API's body fields use the
 * same field parsers, so both accept and refuse the same values.
 */
import { parseSize } from "./parse_size.ts";
import { PlanFieldError } from "./plan_field_error.ts";
import { planId } from "./plan_id.ts";
import {
  type AlertThreshold,
  DEFAULT_THRESHOLDS,
  type PeriodRule,
  PLAN_COUNTS,
  type PlanCounts,
  type PlanSpec,
  weekdayNumber,
} from "./plan_spec.ts";

/** Longest plan name, in characters. */
export const MAX_PLAN_NAME_CHARS = 64;
/** Longest period of an `every:N:` rule, in days (ten years). */
export const MAX_EVERY_DAYS = 3660;

const DATE_REGEXP = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The plans of a PLAN= value (empty text: none). `today` ("YYYY-MM-DD") refuses `every:` start dates in the
 * future. Throws PlanFieldError naming the plan (its position and name) and the field.
 */
export function parsePlanList(text: string, today: string): PlanSpec[] {
  if (text.trim() === "") return [];
  const plans: PlanSpec[] = [];
  text.split("|").forEach((entry, index) => {
    const where = `plan ${index + 1}`;
    const fields = entry.split(";").map((f) => f.trim());
    if (fields.length !== 4) {
      throw new PlanFieldError(where, entry, "NAME;PERIOD;COUNTS;QUOTA (4 fields separated by ;)");
    }
    const [name, period, counts, quota] = fields;
    const at = (field: string) => `${where} ${field}`;
    const plan: PlanSpec = {
      id: planId(parsePlanName(name, at("NAME"))),
      name,
      period: parsePeriodRule(period, today, at("PERIOD")),
      counts: parseCounts(counts, at("COUNTS")),
      quotaBytes: parseQuota(quota, at("QUOTA")),
      deviceId: null,
      thresholds: DEFAULT_THRESHOLDS,
    };
    if (plans.some((p) => p.id === plan.id)) {
      throw new PlanFieldError(at("NAME"), name, `a name whose id "${plan.id}" no other plan has`);
    }
    plans.push(plan);
  });
  return plans;
}

/** A plan name: 1–64 printable characters with a letter or digit. */
export function parsePlanName(text: string, field = "name"): string {
  const name = text.trim();
  if (name.length === 0 || [...name].length > MAX_PLAN_NAME_CHARS || /[\p{Cc};|]/u.test(name)) {
    throw new PlanFieldError(field, text, `1 to ${MAX_PLAN_NAME_CHARS} printable characters without ; or |`);
  }
  if (!/[\p{L}\p{N}]/u.test(name)) throw new PlanFieldError(field, text, "a name with a letter or digit");
  return name;
}

/** A period rule; `today` ("YYYY-MM-DD") refuses an `every:` start in the future. */
export function parsePeriodRule(text: string, today: string, field = "period"): PeriodRule {
  const parts = text.trim().toLowerCase().split(":");
  const allowed = "calendar, monthly:DAY (1 to 31), every:N:YYYY-MM-DD or weekly:mon..weekly:sun";
  switch (parts[0]) {
    case "calendar":
      if (parts.length === 1) return { kind: "calendar" };
      break;
    case "monthly": {
      if (parts.length !== 2) break;
      const day = wholeNumber(parts[1]);
      if (day < 1 || day > 31) throw new PlanFieldError(field, text, "monthly:DAY with DAY from 1 to 31");
      return { kind: "monthly", day };
    }
    case "every": {
      if (parts.length !== 3) break;
      const days = wholeNumber(parts[1]);
      if (days < 1 || days > MAX_EVERY_DAYS) {
        throw new PlanFieldError(field, text, `every:N:YYYY-MM-DD with N from 1 to ${MAX_EVERY_DAYS} days`);
      }
      const startDate = parts[2];
      if (!isDate(startDate)) throw new PlanFieldError(field, text, "every:N:YYYY-MM-DD with a real date");
      if (startDate > today) {
        throw new PlanFieldError(field, text, `a start date not after today (${today})`);
      }
      return { kind: "every", days, startDate };
    }
    case "weekly": {
      const weekday = parts.length === 2 ? weekdayNumber(parts[1]) : 0;
      if (weekday === 0) throw new PlanFieldError(field, text, "weekly:mon, weekly:tue, … or weekly:sun");
      return { kind: "weekly", weekday };
    }
  }
  throw new PlanFieldError(field, text, allowed);
}

/** `total`, `upload` or `download`. */
export function parseCounts(text: string, field = "counts"): PlanCounts {
  const counts = text.trim().toLowerCase() as PlanCounts;
  if (!PLAN_COUNTS.includes(counts)) throw new PlanFieldError(field, text, "total, upload or download");
  return counts;
}

/** Bytes of a quota, or null for `none`. */
export function parseQuota(text: string, field = "quota"): number | null {
  return text.trim().toLowerCase() === "none" ? null : parseSize(text, field);
}

/** An alert threshold: "80%" (1..1000 percent of the quota) or "forecast". */
export function parseThreshold(text: string, field = "alerts"): AlertThreshold {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "forecast") return { kind: "forecast" };
  const match = /^(\d{1,4})%$/.exec(trimmed);
  const percent = match === null ? 0 : Number(match[1]);
  if (percent < 1 || percent > 1000) {
    throw new PlanFieldError(field, text, "a share of the quota from 1% to 1000%, or forecast");
  }
  return { kind: "percent", percent };
}

function wholeNumber(text: string): number {
  return /^\d{1,6}$/.test(text) ? Number(text) : -1;
}

function isDate(text: string): boolean {
  if (!DATE_REGEXP.test(text)) return false;
  try {
    // Temporal's default overflow "constrain" would turn 2026-02-30 into 2026-02-28.
    Temporal.PlainDate.from(text, { overflow: "reject" });
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}
