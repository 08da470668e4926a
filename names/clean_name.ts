/** The one rule for a name read from a file of the LAN: printable text, bounded. */

/** Longest name kept, as for a name a user gives (PUT /api/devices/:id/name). */
export const MAX_NAME_CHARS = 64;

// C0 and C1 controls and DEL (Cc), and the Unicode line and paragraph separators (Zl, Zp).
const CONTROL_CHARS_REGEXP = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;

/**
 * `raw` as a name: control characters become spaces, runs of spaces one space, at most MAX_NAME_CHARS
 * characters (whole code points) are kept; null when nothing printable is left. HTML stays text: every
 * page and answer escapes names where it shows them.
 */
export function cleanName(raw: string): string | null {
  const text = raw.replace(CONTROL_CHARS_REGEXP, " ").replace(/\s+/g, " ").trim();
  const name = [...text.slice(0, MAX_NAME_CHARS * 2)].slice(0, MAX_NAME_CHARS).join("").trim();
  return name === "" ? null : name;
}
