/**
 * Starts main.ts from source as a child process on 127.0.0.1 and WEB_PORT=0, and waits until it logs the port
 * the system gave it: no port is probed beforehand, so no other process can take it in between. Shared by
 * the permission, fault, import and browser tests, with `main.ts --pcap` run to its end (importPcap). The
 * child is killed by PID in `stop()` if still alive.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder of main.ts). */
export const ROOT_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** How long a start may take before the test gives up (first runs transpile the whole graph). */
const START_TIMEOUT_MS = 60_000;

/** The line main.ts logs once it listens; group 1 is the URL with the port really bound. */
export const SERVING_LINE_REGEXP = /Serving the dashboard and API on (http:\/\/\S+\/)$/;

/** A child's stdout and stderr, line by line as they arrive. */
export interface ChildOutput {
  /** Every complete line so far, both streams interleaved in arrival order. */
  lines(): readonly string[];
  /**
   * Resolves with the first line matching `pattern` at or after line `from` (default 0); rejects, with the
   * output, when the child exits without printing one or after `timeoutMs` (default 30 s).
   */
  waitForLine(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<string>;
  /** The exit status, once both streams are read to their end. */
  readonly exited: Promise<Deno.CommandStatus>;
}

/** Reads `child`'s piped stdout and stderr into lines; call once per child, right after spawn(). */
export function followOutput(child: Deno.ChildProcess): ChildOutput {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of waiters) wake();
  };
  const pump = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    let partial = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      partial += text;
      const parts = partial.split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
      wakeAll();
    }
    if (partial !== "") lines.push(partial);
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let hasExited = false;
  const exited = child.status.then(async (status) => {
    await pumped;
    hasExited = true;
    wakeAll();
    return status;
  });
  const waitForLine = (pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}) =>
    new Promise<string>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 30_000;
      const check = () => {
        const found = lines.slice(options.from ?? 0).find((l) => pattern.test(l));
        if (found === undefined && !hasExited) return;
        waiters.delete(check);
        clearTimeout(timer);
        if (found !== undefined) resolve(found);
        else reject(new Error(`The child exited before printing ${pattern}:\n${lines.join("\n")}`));
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`The child printed no ${pattern} within ${timeoutMs} ms:\n${lines.join("\n")}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { lines: () => lines, waitForLine, exited };
}

/** A running main.ts child. */
export interface MainProcess {
  readonly child: Deno.ChildProcess;
  /** `http://127.0.0.1:<port>`, as the child logged it. */
  readonly baseUrl: string;
  /** The port the child listens on. */
  readonly port: number;
  /** Everything the child wrote to stderr and stdout so far, one line each. */
  output(): string;
  readonly lines: ChildOutput["lines"];
  readonly waitForLine: ChildOutput["waitForLine"];
  /** Sends `signal` and waits for exit, killing with SIGKILL after `graceMs`. Idempotent. */
  stop(signal?: Deno.Signal, graceMs?: number): Promise<Deno.CommandStatus>;
}

/** Environment a child needs to find Deno's caches, plus `vars`; nothing else leaks in from the test. */
export function childEnv(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "NO_COLOR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, NO_COLOR: "1", ...vars };
}

/**
 * Runs `deno run <flags> main.ts <args>` with `env` (see childEnv) and WEB_PORT=0, and resolves once the
 * child logs the port it listens on. Rejects with the child's output if it exits first or does not listen
 * within START_TIMEOUT_MS.
 */
export async function startMain(
  options: { flags: string[]; env: Record<string, string>; args?: string[]; entry?: string },
): Promise<MainProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...options.flags, options.entry ?? "main.ts", ...(options.args ?? [])],
    cwd: ROOT_DIR,
    env: { ...options.env, WEB_PORT: "0" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = followOutput(child);
  let status: Promise<Deno.CommandStatus> | null = null;
  const stop = (signal: Deno.Signal = "SIGTERM", graceMs = 30_000) => {
    status ??= (async () => {
      try {
        child.kill(signal);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // already exited
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch (e) {
          if (!(e instanceof TypeError)) throw e;
        }
      }, graceMs);
      try {
        return await output.exited;
      } finally {
        clearTimeout(timer);
      }
    })();
    return status;
  };
  let serving: string;
  try {
    serving = await output.waitForLine(SERVING_LINE_REGEXP, { timeoutMs: START_TIMEOUT_MS });
  } catch (e) {
    await stop("SIGKILL");
    throw e;
  }
  const url = new URL(SERVING_LINE_REGEXP.exec(serving)![1]);
  return {
    child,
    baseUrl: url.origin,
    port: Number(url.port),
    output: () => output.lines().join("\n"),
    lines: output.lines,
    waitForLine: output.waitForLine,
    stop,
  };
}

/** How a `main.ts --pcap` run ended: its exit code and what it printed, stdout then stderr. */
export interface PcapImport {
  readonly code: number;
  readonly output: string;
}

/** Runs `deno run -A main.ts --pcap <path>` with `env` (see childEnv) to its end. */
export async function importPcap(env: Record<string, string>, path: string): Promise<PcapImport> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--pcap", path],
    cwd: ROOT_DIR,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}
