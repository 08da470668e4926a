/**
 * V8 options netledger runs with, from source (`deno task start`) and baked into the executable. A small
 * young generation makes V8 collect short-lived batch records often instead of growing the heaps: under
 * tests/bench/soak_bench.ts (a new remote address in every packet) RSS stays flat at about half of what V8's
 * defaults reach, with no drops and exact counts. The old-space cap (per isolate: the main thread and the
 * capture Worker each) bounds the heaps on a small NAS with room for a 50,000-connection Clash snapshot;
 * without it the soak keeps growing. The price: JSON.parse of such a snapshot is slower
 * (tests/bench/clash_bench.ts), which only matters far beyond a home's few thousand connections. The larger
 * inlining budgets let V8 inline the whole per-packet path (parseFrame, classify, the remote table) into the
 * ring walk, which brings capture CPU per packet down to tcpdump's (tests/bench/capture_bench.ts). The
 * figures of each run are in docs/performance.md.
 */

/** The V8 options, in `--v8-flags=` order. */
export const V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=1",
  "--max-old-space-size=256",
  "--max-inlined-bytecode-size=3000",
  "--max-inlined-bytecode-size-cumulative=8000",
];

/** The `deno run` / `deno compile` argument that applies V8_FLAGS. */
export function v8FlagsArg(): string {
  return `--v8-flags=${V8_FLAGS.join(",")}`;
}
