/**
 * `deno task compile`: builds the single `netledger` executable with the dashboard embedded (web/dist is in
 * the module graph through its generated module) and the permissions of packaging/permissions.ts baked in.
 *
 *   deno task compile [--output FILE] [--target TRIPLE] [--data-dir DIR]…
 *
 * `--data-dir` replaces the baked data directories (default /var/lib/netledger and ./data): a compiled
 * executable cannot read or write anywhere else, so a NAS that keeps data on /volume1/… compiles with it.
 * `deno compile` downloads its runtime (denort) once per version and target; offline, set DENORT_BIN to a
 * denort of the same Deno version (Deno reads that variable itself; this script only passes it on).
 */
import { parseArgs } from "node:util";
import { basename, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compiledScope, EXECUTABLE_NAME, permissionFlags } from "./permissions.ts";
import { v8FlagsArg } from "./v8_flags.ts";
import { findWorkerModules } from "./worker_modules.ts";

const ROOT_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** Options of one compile run. */
export interface CompileOptions {
  readonly output: string;
  readonly target: string | null;
  readonly dataDirs: readonly string[] | null;
}

/** The full `deno compile` argument list for `options` (exported so tests check it without compiling). */
export async function compileArgs(options: CompileOptions): Promise<string[]> {
  if (basename(options.output) !== EXECUTABLE_NAME) {
    throw new RangeError(
      `Cannot compile to "${options.output}": the file must be named "${EXECUTABLE_NAME}", because the ` +
        `executable mounts its modules at /tmp/deno-compile-<file name> and its read permission names ` +
        `that path; put it in a folder instead, e.g. --output dist/arm64/${EXECUTABLE_NAME}`,
    );
  }
  const scope = options.dataDirs === null ? compiledScope() : compiledScope(options.dataDirs);
  const workers = await findWorkerModules(ROOT_DIR);
  return [
    "compile",
    ...permissionFlags(scope),
    v8FlagsArg(),
    ...workers.flatMap((w) => ["--include", relative(ROOT_DIR, w)]),
    ...(options.target === null ? [] : ["--target", options.target]),
    "--output",
    options.output,
    "main.ts",
  ];
}

/**
 * The one message for a failed runtime download, or null when `stderr` shows another failure (or DENORT_BIN
 * was set, so nothing was downloaded).
 */
export function runtimeDownloadHelp(
  stderr: string,
  denortBin: string | undefined,
  target: string | null,
): string | null {
  if (denortBin !== undefined && denortBin !== "") return null;
  const match = /https:\/\/\S*\/(denort-[\w.-]+\.zip)/.exec(stderr);
  if (match === null || !/error sending request|dns error|Connect|timed out|status code/i.test(stderr)) {
    return null;
  }
  return `Cannot download the Deno runtime "${match[1]}" that deno compile builds on (this machine looks ` +
    `offline). Fetch that file for Deno ${Deno.version.deno}${target ? ` and target ${target}` : ""} on a ` +
    "connected machine, unzip it, and run: DENORT_BIN=/path/to/denort deno task compile";
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      output: { type: "string", default: EXECUTABLE_NAME },
      target: { type: "string" },
      "data-dir": { type: "string", multiple: true },
    },
  });
  const options: CompileOptions = {
    output: values.output,
    target: values.target ?? null,
    dataDirs: values["data-dir"] ?? null,
  };
  let denoArgs: string[];
  try {
    denoArgs = await compileArgs(options);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    console.error(e.message);
    return 1;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: denoArgs,
    cwd: ROOT_DIR,
    stdout: "inherit",
    stderr: "piped",
  }).spawn();
  const { code, stderr } = await child.output();
  const errorText = new TextDecoder().decode(stderr);
  const help = code === 0 ? null : runtimeDownloadHelp(errorText, Deno.env.get("DENORT_BIN"), options.target);
  if (help !== null) {
    console.error(help);
    return 1;
  }
  await Deno.stderr.write(stderr);
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
