/**
 * Quota sizes: "1.2TB" and "1.2 TB" are decimal (ISPs bill in powers of 1000), "500GiB" binary (powers of
 * 1024). Plain digits are bytes.
 */
import { PlanFieldError } from "./plan_field_error.ts";

/** The largest quota accepted: 1 EB; anything above is a typo. */
export const MAX_QUOTA_BYTES = 1e18;

const UNITS: Readonly<Record<string, bigint>> = {
  b: 1n,
  kb: 10n ** 3n,
  mb: 10n ** 6n,
  gb: 10n ** 9n,
  tb: 10n ** 12n,
  pb: 10n ** 15n,
  eb: 10n ** 18n,
  kib: 2n ** 10n,
  mib: 2n ** 20n,
  gib: 2n ** 30n,
  tib: 2n ** 40n,
  pib: 2n ** 50n,
  eib: 2n ** 60n,
};

const SIZE_REGEXP = /^(\d{1,20})(?:\.(\d{1,20}))?\s*([a-z]*)$/i;

/**
 * Bytes of `text` (rounded down to a whole byte), for the field `field` of error messages. Throws
 * PlanFieldError for an unknown unit, 0, a negative size or more than 1 EB.
 */
export function parseSize(text: string, field = "quota"): number {
  const trimmed = text.trim();
  const match = SIZE_REGEXP.exec(trimmed);
  const allowed = "a size above 0 and at most 1 EB such as 1.2TB (decimal) or 500GiB (binary), or none";
  if (match === null) throw new PlanFieldError(field, text, allowed);
  const unit = UNITS[match[3].toLowerCase() || "b"];
  if (unit === undefined) {
    throw new PlanFieldError(
      field,
      text,
      `a unit of B, KB, MB, GB, TB, PB, EB, KiB, MiB, GiB, TiB, PiB or EiB`,
    );
  }
  // In integers, so "1.2TB" is 1,200,000,000,000 bytes exactly, not a double's neighbour of it.
  const fraction = match[2] ?? "";
  const bytes = BigInt(match[1]) * unit + BigInt(fraction || "0") * unit / 10n ** BigInt(fraction.length);
  if (bytes <= 0n || bytes > BigInt(MAX_QUOTA_BYTES)) throw new PlanFieldError(field, text, allowed);
  return Number(bytes);
}
