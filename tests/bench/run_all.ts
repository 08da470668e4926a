/**
 * `deno task bench`: runs every tests/bench/*_bench.ts one after another, each in its own process so one
 * benchmark's heap and JIT state do not colour the next. Each prints its own table with its same-run baseline.
 * `deno task bench parse clash` runs only the benchmarks whose names contain one of the words.
 */
import { ROOT_DIR } from "../helpers/run_main.ts";

const BENCH_DIR = new URL("./", import.meta.url);
const filters = Deno.args;
const names: string[] = [];
for await (const entry of Deno.readDir(BENCH_DIR)) {
  if (!entry.name.endsWith("_bench.ts")) continue;
  if (filters.length > 0 && !filters.some((f) => entry.name.includes(f))) continue;
  names.push(entry.name);
}
names.sort();
const failed: string[] = [];
for (const name of names) {
  console.log(`\n=== ${name} ===`);
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `tests/bench/${name}`],
    cwd: ROOT_DIR,
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  if (!status.success) failed.push(`${name} (exit ${status.code})`);
}
if (failed.length > 0) {
  console.error(`\nBenchmarks that failed: ${failed.join(", ")}`);
  Deno.exit(1);
}
console.log(`\n${names.length} benchmarks ran`);
