/**
 * Instructions per packet of parse_bench's mix (docs/performance.md "Instructions per packet"), run with
 * `deno run -A tests/bench/parse_instructions.ts [--shipped] [configuration …]`, a configuration being one of
 * parse_bench's PIPELINES; needs valgrind (`apt install valgrind`).
 *
 * On a shared VM the timings of parse_bench move by 20–40% from run to run, more than the costs it compares.
 * An instruction count does not: callgrind counts every instruction the process runs. Each configuration is
 * counted through `parse_bench.ts --only` for ROUNDS_FEW and ROUNDS_MANY rounds, and the difference, per
 * packet, is the steady state: start-up, building the mix and compiling cancel out. V8 compiles on the main
 * thread (`--no-concurrent-recompilation`), so compiled code takes over after the same packets in every run,
 * and `--predictable` takes the timers out of its heuristics (without it the same tree's count moved by ±6%
 * from run to run). Baseline, same run: names off, the pipeline as shipped with SERVICE_NAMES off. Prints a
 * table and a JSON summary. About four minutes per configuration on this repository's 2-core machine.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { V8_FLAGS } from "../../packaging/mod.ts";
import { MIX_FRAMES, PIPELINES } from "./parse_bench.ts";

/**
 * Past the first rounds: the DNS reader's inner functions (sniff/dns_answer.ts readSections) run in V8's
 * middle tier until after round 80, which made names cost twice what they cost later. The window holds one
 * drain (parse_bench's countRound, every 300 rounds), as a running capture drains.
 */
const ROUNDS_FEW = 200;
const ROUNDS_MANY = 500;
const CONFIGURATIONS = Object.keys(PIPELINES);

/**
 * Instructions callgrind counts for the whole of one `parse_bench.ts --only` run, with `v8Flags` added to the
 * two that make the count repeatable.
 */
async function instructions(
  configuration: string,
  rounds: number,
  v8Flags: readonly string[],
): Promise<number> {
  const { code, stderr } = await new Deno.Command("valgrind", {
    args: [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      "--callgrind-out-file=/dev/null",
      Deno.execPath(),
      "run",
      "-A",
      `--v8-flags=${["--no-concurrent-recompilation", "--predictable", ...v8Flags].join(",")}`,
      fileURLToPath(new URL("parse_bench.ts", import.meta.url)),
      `--only=${configuration}`,
      `--rounds=${rounds}`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  const refs = text.match(/I\s+refs:\s+([\d,]+)/);
  if (code !== 0 || refs === null) {
    throw new Error(`valgrind failed for ${configuration}: ${text.slice(-500)}`);
  }
  return Number(refs[1].replaceAll(",", ""));
}

async function perPacket(configuration: string, v8Flags: readonly string[]): Promise<number> {
  const [few, many] = await Promise.all([
    instructions(configuration, ROUNDS_FEW, v8Flags),
    instructions(configuration, ROUNDS_MANY, v8Flags),
  ]);
  return (many - few) / ((ROUNDS_MANY - ROUNDS_FEW) * MIX_FRAMES);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { shipped: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  // --shipped: with the V8 options netledger runs with (packaging/v8_flags.ts: larger inlining budgets).
  const v8Flags = values.shipped ? V8_FLAGS : [];
  const wanted = positionals.length > 0 ? positionals : CONFIGURATIONS;
  const unknown = wanted.filter((c) => !CONFIGURATIONS.includes(c));
  if (unknown.length > 0) {
    console.error(`unknown configuration ${unknown.join(", ")}: use ${CONFIGURATIONS.join(", ")}`);
    Deno.exit(2);
  }
  const counts: Record<string, number> = { "names-off": await perPacket("names-off", v8Flags) };
  for (const configuration of wanted) counts[configuration] ??= await perPacket(configuration, v8Flags);
  const baseline = counts["names-off"];
  for (const [configuration, count] of Object.entries(counts)) {
    console.log(
      `${configuration.padEnd(12)} ${count.toFixed(0).padStart(6)} instructions/packet ${
        (count / baseline).toFixed(3)
      }×`,
    );
  }
  console.log(JSON.stringify(counts));
}
