/**
 * Finds the Worker entry modules of netledger (`new Worker(new URL("./x.ts", import.meta.url), …)`) and the
 * local files of their module graphs. `deno compile` must `--include` each entry (workers are not static
 * imports), and a run from source needs read access to each graph file (Deno checks it when a Worker loads).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const WORKER_URL_REGEXP = /new\s+Worker\(\s*new\s+URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g;

/** Source folders scanned for Workers; tests and tooling are not part of the program. */
const SOURCE_DIRS = ["capture", "clash", "ffi", "store", "web"];

/** Absolute paths of every Worker entry module under `rootDir`, sorted. */
export async function findWorkerModules(rootDir: string): Promise<string[]> {
  const found = new Set<string>();
  for (const dir of SOURCE_DIRS) {
    for await (const file of walkTs(join(rootDir, dir))) {
      if (file.endsWith("_test.ts")) continue;
      for (const entry of workerEntriesOf(file, await Deno.readTextFile(file))) found.add(entry);
    }
  }
  return [...found].sort();
}

/** Absolute paths of the Worker entry modules that `file` (absolute; its text is `source`) starts. */
export function workerEntriesOf(file: string, source: string): string[] {
  return [...source.matchAll(WORKER_URL_REGEXP)].map((match) => resolve(dirname(file), match[1]));
}

/** Absolute paths of the local files in the module graph of `entry` (itself included), via `deno info --json`. */
export async function localModuleGraph(entry: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", pathToFileURL(entry).href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot list the module graph of "${entry}": ${new TextDecoder().decode(stderr)}`);
  }
  const info = JSON.parse(new TextDecoder().decode(stdout)) as { modules: { specifier: string }[] };
  return info.modules.map((m) => m.specifier).filter((s) => s.startsWith("file:")).map((s) =>
    fileURLToPath(s)
  )
    .sort();
}

async function* walkTs(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return; // a part that does not exist yet has no Workers
    throw e;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && entry.name !== "dist") yield* walkTs(path);
    else if (entry.isFile && (entry.name.endsWith(".ts") || entry.name.endsWith(".tsx"))) yield path;
  }
}
