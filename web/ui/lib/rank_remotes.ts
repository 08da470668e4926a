/**
 * The rows of the top-remotes table as the person arranges them: filtered by an address substring and
 * sorted by a column, each keeping its rank in the server's order (heaviest first), and the "others" row
 * of everything not listed.
 */
import type { TopIpJson } from "../api.ts";

/** Columns the table sorts by. */
export type RemoteSortKey = "total" | "up" | "down" | "ip";

/** A row with its place in the server's ranking (1 = most bytes). */
export interface RankedRemote {
  readonly rank: number;
  readonly row: TopIpJson;
}

/** Byte columns start heaviest first; addresses start in ascending order. */
export function defaultDescending(key: RemoteSortKey): boolean {
  return key !== "ip";
}

/** A text that sorts addresses as numbers: IPv4 first ("4" + three digits per byte), then IPv6 by group. */
export function addressSortKey(ip: string): string {
  if (!ip.includes(":")) return `4${ip.split(".").map((byte) => byte.padStart(3, "0")).join("")}`;
  const [head, tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array(Math.max(0, missing)).fill("0"), ...right];
  return `6${groups.map((group) => group.padStart(4, "0")).join("")}`;
}

function compareBy(key: RemoteSortKey): (a: RankedRemote, b: RankedRemote) => number {
  switch (key) {
    case "ip":
      return (a, b) => {
        const [x, y] = [addressSortKey(a.row.ip), addressSortKey(b.row.ip)];
        return x < y ? -1 : x > y ? 1 : 0;
      };
    case "up":
      return (a, b) => a.row.up_bytes - b.row.up_bytes;
    case "down":
      return (a, b) => a.row.down_bytes - b.row.down_bytes;
    case "total":
      return (a, b) => a.row.bytes - b.row.bytes;
  }
}

/**
 * `rows` (in the server's order) that contain `search` (case-insensitive, spaces ignored) in their
 * address, sorted by `key`; ties keep the server's order.
 */
export function rankRemotes(
  rows: readonly TopIpJson[],
  options: { readonly key: RemoteSortKey; readonly isDescending: boolean; readonly search: string },
): RankedRemote[] {
  const needle = options.search.replace(/\s+/g, "").toLowerCase();
  const compare = compareBy(options.key);
  const sign = options.isDescending ? -1 : 1;
  return rows
    .map((row, i) => ({ rank: i + 1, row }))
    .filter((r) => needle === "" || r.row.ip.toLowerCase().includes(needle))
    .sort((a, b) => sign * compare(a, b) || a.rank - b.rank);
}

/** Bytes of a span that no listed row carries; never below zero (the two answers may be seconds apart). */
export function otherRemotes(
  rows: readonly TopIpJson[],
  span: { readonly upBytes: number; readonly downBytes: number },
): { readonly upBytes: number; readonly downBytes: number } {
  let up = span.upBytes;
  let down = span.downBytes;
  for (const row of rows) {
    up -= row.up_bytes;
    down -= row.down_bytes;
  }
  return { upBytes: Math.max(0, up), downBytes: Math.max(0, down) };
}
