/**
 * V8 options netledger runs with, from source (`deno task start`) and baked into the executable. A small
 * young generation makes V8 collect short-lived batch records often instead of growing the heaps: the soak
 * benchmark (tests/bench/soak_bench.ts, 50 kpps with a new remote address in every packet) held a flat
 * RSS of about 180 MiB with these flags against 370–420 MiB with V8's defaults, with no drops and exact
 * counts. The old-space cap (per isolate: the main thread and the capture Worker each) bounds the heaps on
 * a small NAS with room for a 50,000-connection Clash snapshot; without it the soak grew past 280 MiB. The
 * price: JSON.parse of such a snapshot (21 MB) took about twice as long (clash_bench), which only matters far
 * beyond a home's few thousand connections. The larger inlining budgets let V8 inline the
 * whole per-packet path (parseFrame, classify, the remote table) into the ring walk: capture CPU per packet
 * went from 1.03–1.51× tcpdump's to 0.85–1.18× in alternating runs of tests/bench/capture_bench.ts.
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
