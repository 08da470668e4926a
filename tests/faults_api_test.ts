/**
 * 10,000 malformed API requests against the real program (issue #6 item 8): fuzzed paths, parameters,
 * methods and headers through fetch, plus raw garbage over TCP. Every answer must be a 4xx, the process must
 * stay up, and its memory must stay flat. Seeded: NETLEDGER_FUZZ_SEED repeats a run.
 */
import assert from "node:assert/strict";
import { seededRandom } from "./helpers/netledger_rig.ts";
import { childEnv, startMain } from "./helpers/run_main.ts";

const REQUESTS = 10_000;
const CONCURRENCY = 16;
const WARM_UP = 1_000;
/** Growth of the server's resident memory allowed after the warm-up (V8 sizes its heap lazily). */
const MAX_RSS_GROWTH_MIB = 24;

type Random = () => number;

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

function junk(random: Random, maxLength: number, alphabet?: string): string {
  const length = 1 + Math.floor(random() * maxLength);
  let text = "";
  for (let i = 0; i < length; i++) {
    text += alphabet
      ? alphabet[Math.floor(random() * alphabet.length)]
      : String.fromCharCode(32 + Math.floor(random() * 95));
  }
  return text;
}

/** Percent-encodes every byte of random UTF-8 text (fetch would otherwise normalise it). */
function encodedJunk(random: Random, maxLength: number): string {
  const bytes = new TextEncoder().encode(
    junk(random, maxLength) + (random() < 0.2 ? "\u00e9\u4e2d\u0000" : ""),
  );
  return Array.from(bytes, (b) => `%${b.toString(16).padStart(2, "0")}`).join("");
}

const BAD_DATES = [
  "2026-13-01",
  "2026-02-30",
  "0000-00-00",
  "99999-01-01",
  "yesterday",
  "2026-1-1",
  "1e9",
];
const BAD_LIMITS = ["-1", "abc", "1e12", "1.5", "1001", "99999999999999999999", "0x10", " "];
const GET_ROUTES = [
  "/api/summary",
  "/api/history/30days",
  "/api/date_range",
  "/api/realtime",
  "/api/health",
  "/metrics",
];

/** One malformed request: every generator breaks the path, a parameter or the method. */
function fuzzRequest(random: Random): FuzzRequest {
  const headers = fuzzHeaders(random);
  const badDate = () => random() < 0.5 ? pick(random, BAD_DATES) : `x${junk(random, 30)}`;
  switch (Math.floor(random() * 7)) {
    case 0:
      return {
        method: "GET",
        path: `/nl-fuzz-${encodedJunk(random, 40)}/${encodedJunk(random, 20)}`,
        headers,
      };
    case 1:
      // The prefix keeps the last segment from being "%2e" or "%2e%2e": fetch resolves those dot segments,
      // and "/api/nl-fuzz/../../../../%2e" would become "/", the dashboard (seed 390301469).
      return {
        method: "GET",
        path: `/api/nl-fuzz/${"../".repeat(Math.floor(random() * 5))}nl-fuzz-${encodedJunk(random, 60)}`,
        headers,
      };
    case 2: {
      const granularity = random() < 0.5 ? pick(random, ["hour", "day", "month"]) : junk(random, 12);
      const query = new URLSearchParams({ start: badDate(), end: "2026-01-31", granularity });
      return { method: "GET", path: `/api/query?${query}`, headers };
    }
    case 3: {
      const query = new URLSearchParams({ start: "2026-02-01", end: "2026-01-01", granularity: "day" });
      if (random() < 0.5) query.set("format", junk(random, 10, "abcdefghij"));
      return { method: "GET", path: `/api/query?${query}`, headers };
    }
    case 4: {
      const query = new URLSearchParams(
        random() < 0.5 ? { limit: pick(random, BAD_LIMITS) } : { start: badDate() },
      );
      return { method: "GET", path: `/api/top_ips?${query}`, headers };
    }
    case 5:
      return {
        method: pick(random, ["POST", "PUT", "DELETE", "PATCH"]),
        path: pick(random, GET_ROUTES),
        headers,
        body: junk(random, 2000),
      };
    default:
      return { method: "GET", path: `/api/history/${encodedJunk(random, 30)}`, headers };
  }
}

function fuzzHeaders(random: Random): Record<string, string> {
  const headers: Record<string, string> = {};
  const names = [
    "accept-encoding",
    "cookie",
    "authorization",
    "range",
    "if-none-match",
    "x-forwarded-for",
    "accept",
  ];
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    headers[pick(random, names)] = junk(random, random() < 0.05 ? 8000 : 60).trim() || "x";
  }
  if (random() < 0.2) {
    headers[`x-${junk(random, 20, "abcdefghijklmnopqrstuvwxyz-")}`] = junk(random, 100).trim() || "x";
  }
  return headers;
}

/** Raw request bytes that no HTTP client would send. */
function rawGarbage(random: Random): string {
  return pick(random, [
    () => `GET /${junk(random, 30, '%%zz<>"{}|^`')} HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET /api/summary HTTP/1.1\r\nHost: x\r\n${junk(random, 40, "abc:;")}\r\nBad Header Line\r\n\r\n`,
    () => `POST /api/summary HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n`,
    () => `GET /api/summary HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\nzz\r\n`,
    () => `GET /api/summary HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
  ])();
}

/** Sends raw bytes over TCP and returns the status code of the answer, or 0 if the server closed silently. */
async function rawStatus(port: number, text: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(text));
    const buffer = new Uint8Array(1024);
    let answer = "";
    while (!answer.includes("\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      answer += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? "0");
  } finally {
    conn.close();
  }
}

async function residentMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

Deno.test({
  name: `${REQUESTS} malformed API requests get only 4xx answers, no crash, and flat memory`,
  sanitizeResources: false,
  async fn() {
    const seed = Number(Deno.env.get("NETLEDGER_FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`seed ${seed} (NETLEDGER_FUZZ_SEED=${seed} repeats these requests)`);
    const random = seededRandom(seed);
    const dir = await Deno.makeTempDir({ prefix: "nl-fuzz-" });
    const main = await startMain({
      flags: ["-A"],
      env: childEnv({
        DB_PATH: `${dir}/netledger.db`,
        BIND: "127.0.0.1",
        MONITOR_IFACE: "lo",
        RING_MB: "1",
        TZ: "UTC",
      }),
    });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const rss: number[] = [];
    let next = 0;
    try {
      const worker = async () => {
        while (next < REQUESTS) {
          const i = next++;
          if (i === WARM_UP || i === REQUESTS - 1) rss.push(await residentMiB(main.child.pid));
          let status: number;
          let label: string;
          if (random() < 0.1) {
            const text = rawGarbage(random);
            label = `raw ${JSON.stringify(text.slice(0, 80))}`;
            status = await rawStatus(main.port, text);
          } else {
            const request = fuzzRequest(random);
            label = `${request.method} ${request.path.slice(0, 120)}`;
            const response = await fetch(`${main.baseUrl}${request.path}`, {
              method: request.method,
              headers: request.headers,
              body: request.body,
              redirect: "manual",
              signal: AbortSignal.timeout(10_000),
            });
            await response.body?.cancel();
            status = response.status;
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status < 400 || status > 499) failures.push(`${status} for ${label}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const health = await fetch(`${main.baseUrl}/api/health`);
      await health.body?.cancel();
      assert.equal(health.status, 200, "the server still answers");
    } finally {
      await main.stop("SIGTERM");
      await Deno.remove(dir, { recursive: true });
    }
    console.log(
      `statuses: ${JSON.stringify(Object.fromEntries(statuses))}; server RSS ${
        rss[0].toFixed(1)
      } MiB after ` +
        `${WARM_UP} requests, ${rss[1].toFixed(1)} MiB after ${REQUESTS}`,
    );
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} answers outside 4xx`);
    assert.doesNotMatch(main.output(), /Unhandled error/);
    assert.ok(rss[1] - rss[0] <= MAX_RSS_GROWTH_MIB, `memory grew ${(rss[1] - rss[0]).toFixed(1)} MiB`);
  },
});
