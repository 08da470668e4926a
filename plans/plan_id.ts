/** A plan's id in the API: a slug of its name. */

/**
 * Lower-case a–z, 0–9 and "-" from `name` (accents dropped, other runs of characters one "-", at most 48
 * characters); a name with no Latin letter or digit ("Дом") gets "plan-" and 8 hex digits of its FNV-1a hash,
 * so the id is stable across restarts.
 */
export function planId(name: string): string {
  const slug = name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 48).replace(/-+$/, "");
  if (slug !== "") return slug;
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `plan-${hash.toString(16).padStart(8, "0")}`;
}
