/**
 * Starts main.ts from source as a child process on a free 127.0.0.1 port and waits until /api/health
 * answers. Shared by the permission and fault tests. The child is killed by PID in `stop()` if still alive.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder of main.ts). */
export const ROOT_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** How long a start may take before the test gives up (first runs transpile the whole graph). */
const START_TIMEOUT_MS = 60_000;

/** A running main.ts child. */
export interface MainProcess {
  readonly child: Deno.ChildProcess;
  readonly baseUrl: string;
  /** Everything the child wrote to stderr and stdout so far. */
  output(): string;
  /** Sends `signal` and waits for exit, killing with SIGKILL after `graceMs`. Idempotent. */
  stop(signal?: Deno.Signal, graceMs?: number): Promise<Deno.CommandStatus>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
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
 * Runs `deno run <flags> main.ts <args>` with `env` (see childEnv) and resolves once /api/health answers 200.
 * Rejects with the child's output if it exits first or does not answer within START_TIMEOUT_MS.
 */
export async function startMain(
  options: { flags: string[]; env: Record<string, string>; args?: string[]; port: number; entry?: string },
): Promise<MainProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...options.flags, options.entry ?? "main.ts", ...(options.args ?? [])],
    cwd: ROOT_DIR,
    env: options.env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const chunks: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const bytes of stream) chunks.push(decoder.decode(bytes, { stream: true }));
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let status: Promise<Deno.CommandStatus> | null = null;
  const exited = child.status.then(async (s) => {
    await pumped;
    return s;
  });
  const process: MainProcess = {
    child,
    baseUrl: `http://127.0.0.1:${options.port}`,
    output: () => chunks.join(""),
    stop(signal: Deno.Signal = "SIGTERM", graceMs = 30_000) {
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
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return status;
    },
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  let hasExited = false;
  exited.then(() => hasExited = true);
  while (!hasExited && Date.now() < deadline) {
    try {
      const response = await fetch(`${process.baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return process;
    } catch (e) {
      if (!(e instanceof TypeError || (e instanceof DOMException && e.name === "TimeoutError"))) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await process.stop("SIGKILL");
  const why = hasExited
    ? "exited before serving /api/health"
    : `did not serve /api/health within ${START_TIMEOUT_MS} ms`;
  throw new Error(`main.ts ${why}:\n${process.output()}`);
}
