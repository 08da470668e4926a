/**
 * 10,000 malformed API requests against the real program (issue #6 item 8), once with auth off and once with
 * a password and an API token: fuzzed paths, parameters, methods and headers through fetch, plus raw garbage
 * over TCP. Every answer to an API request must be a 4xx; the login routes and pages (GET/POST /login,
 * POST /logout, redirects to the login page) may also answer 200 or 303, and every Location
 * header built from input must be a local path of printable ASCII (issue 12 findings 1 and 2: a control
 * character in `next` made Deno panic). The process must stay up, and its memory must stay flat. Seeded:
 * NETLEDGER_FUZZ_SEED repeats a run.
 */
import assert from "node:assert/strict";
import { seededRandom } from "./helpers/netledger_rig.ts";
import { readResponseHead, sendRawRequest, statusOfHead } from "./helpers/raw_http.ts";
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
  readonly body?: string | URLSearchParams;
  /** Statuses besides 4xx this request may get: a page or login route answers 200 or 303, a CSV 200. */
  readonly alsoAllowed?: readonly number[];
}

/** The server under test: its URL and, with auth on, the credentials the fuzzer may send. */
interface FuzzTarget {
  readonly baseUrl: string;
  readonly password: string | null;
  readonly token: string | null;
  /** A session cookie ("name=value"), so GET /login redirects at once; null with auth off. */
  readonly cookie: string | null;
}

/** A Location built from input is a local path of printable ASCII that no browser reads as another site. */
const SAFE_LOCATION_REGEXP = /^\/(?![\/\\])[\x21-\x7e]*$/;
const PAGE_STATUSES = [200, 303];

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

/** A `next` path for the login routes: control characters, TAB, `//`, `\\`, non-ASCII, very long, junk. */
function hostileNext(random: Random): string {
  return pick(random, [
    () => `/${String.fromCharCode(Math.floor(random() * 32))}${junk(random, 20)}`,
    () => `/\x7f${junk(random, 10)}`,
    () => `/\t/${junk(random, 20, "abcdefghij.")}`,
    () => `//${junk(random, 20, "abcdefghij.")}`,
    () => `/\\${junk(random, 20, "abcdefghij.")}`,
    () => `/\u00e9\u4e2d${junk(random, 10)}`,
    () => `/${junk(random, 3000)}`,
    () => junk(random, 60),
  ])();
}

/** An Origin header, or none: this server's, another site's, "null" or junk. */
function fuzzOrigin(random: Random, target: FuzzTarget): Record<string, string> {
  const origin = pick(random, [null, target.baseUrl, "http://198.51.100.7", "null", junk(random, 40)]);
  return origin === null ? {} : { origin: origin.trim() || "x" };
}

/** One malformed request: every generator breaks the path, a parameter, the method or a login field. */
function fuzzRequest(random: Random, target: FuzzTarget): FuzzRequest {
  const headers = fuzzHeaders(random, target);
  const badDate = () => random() < 0.5 ? pick(random, BAD_DATES) : `x${junk(random, 30)}`;
  switch (Math.floor(random() * 10)) {
    case 0:
      // With auth on, a page redirects to /login?next=<this path>: a Location built from input.
      return {
        method: "GET",
        path: `/nl-fuzz-${encodedJunk(random, 40)}/${encodedJunk(random, 20)}`,
        headers,
        alsoAllowed: target.token === null ? [] : [303],
      };
    case 1:
      // The prefix keeps the last segment from being "%2e" or "%2e%2e": fetch resolves those dot segments,
      // and "/api/nl-fuzz/../../../../%2e" would become "/", the dashboard (seed 390301469).
      return {
        method: "GET",
        path: `/api/nl-fuzz/${"../".repeat(Math.floor(random() * 5))}nl-fuzz-${encodedJunk(random, 60)}`,
        headers,
        // Two "../" and more leave /api/: with auth on, a page path redirects to the login page.
        alsoAllowed: target.token === null ? [] : [303],
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
    case 6: {
      const cookie: Record<string, string> = target.cookie !== null && random() < 0.7
        ? { cookie: target.cookie }
        : {};
      const query = new URLSearchParams({ next: hostileNext(random) });
      return {
        method: "GET",
        path: `/login?${query}`,
        headers: { ...headers, ...cookie },
        alsoAllowed: PAGE_STATUSES,
      };
    }
    case 7: {
      // The right password (a wrong one would lock the fuzzer out): the Location after a login is built from
      // `next`. With auth off any password is redirected.
      const password = target.password ?? junk(random, 40);
      return {
        method: "POST",
        path: "/login",
        headers: { ...headers, ...fuzzOrigin(random, target) },
        body: new URLSearchParams({ password, next: hostileNext(random) }),
        alsoAllowed: PAGE_STATUSES,
      };
    }
    case 8:
      return {
        method: "POST",
        path: "/logout",
        headers: { ...headers, ...fuzzOrigin(random, target) },
        alsoAllowed: PAGE_STATUSES,
      };
    default:
      return { method: "GET", path: `/api/history/${encodedJunk(random, 30)}`, headers };
  }
}

/**
 * Random headers; with auth on, an Authorization header carries the right token (a wrong one would lock the
 * fuzzer's address out, and every later answer would be a 429 that reaches no route).
 */
function fuzzHeaders(random: Random, target: FuzzTarget): Record<string, string> {
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
  if (target.token !== null) {
    if (random() < 0.7) headers.authorization = `Bearer ${target.token}`;
    else delete headers.authorization;
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
  const conn = await sendRawRequest(port, text);
  try {
    return statusOfHead(await readResponseHead(conn));
  } finally {
    conn.close();
  }
}

async function residentMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

/** Whether an answer passes: a 4xx, or a status the request allows; any Location must be a safe local path. */
function answerProblem(request: FuzzRequest, status: number, location: string | null): string | null {
  if (location !== null && !SAFE_LOCATION_REGEXP.test(location)) {
    return `Location ${JSON.stringify(location)}`;
  }
  if (status >= 400 && status <= 499) return null;
  return request.alsoAllowed?.includes(status) ? null : `${status}`;
}

const PASSWORD = "fuzz password 1";
const TOKEN = "fuzz-token-2";

/** Logs in once, for the GET /login requests that come with a valid session. */
async function loginCookie(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    body: new URLSearchParams({ password: PASSWORD, next: "/" }),
    redirect: "manual",
  });
  await response.body?.cancel();
  assert.equal(response.status, 303);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

for (const isAuthOn of [false, true]) {
  Deno.test({
    name:
      `${REQUESTS} malformed API and login requests get only 4xx answers (or a page, or a local redirect), no ` +
      `crash, and flat memory, auth ${isAuthOn ? "on" : "off"}`,
    sanitizeResources: false,
    fn: () => fuzzServer(isAuthOn),
  });
}

async function fuzzServer(isAuthOn: boolean): Promise<void> {
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
      ...(isAuthOn ? { AUTH_PASSWORD: PASSWORD, API_TOKEN: TOKEN } : {}),
    }),
  });
  const statuses = new Map<number, number>();
  /** Requests the login routes answered themselves (a page, a redirect or the cross-origin 403). */
  const handledLoginRequests = new Map<string, number>();
  const failures: string[] = [];
  const rss: number[] = [];
  let next = 0;
  try {
    const target: FuzzTarget = {
      baseUrl: main.baseUrl,
      password: isAuthOn ? PASSWORD : null,
      token: isAuthOn ? TOKEN : null,
      cookie: isAuthOn ? await loginCookie(main.baseUrl) : null,
    };
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        if (i === WARM_UP || i === REQUESTS - 1) rss.push(await residentMiB(main.child.pid));
        let status: number;
        let label: string;
        let problem: string | null;
        if (random() < 0.1) {
          const text = rawGarbage(random);
          label = `raw ${JSON.stringify(text.slice(0, 80))}`;
          status = await rawStatus(main.port, text);
          problem = status >= 400 && status <= 499 ? null : `${status}`;
        } else {
          const request = fuzzRequest(random, target);
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
          problem = answerProblem(request, status, response.headers.get("location"));
          const route = `${request.method} ${request.path.split("?")[0]}`;
          if (/ \/log(in|out)$/.test(route) && [200, 303, 403].includes(status)) {
            handledLoginRequests.set(route, (handledLoginRequests.get(route) ?? 0) + 1);
          }
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (problem !== null) failures.push(`${problem} for ${label}`);
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
    `statuses: ${JSON.stringify(Object.fromEntries(statuses))}; server RSS ${rss[0].toFixed(1)} MiB after ` +
      `${WARM_UP} requests, ${rss[1].toFixed(1)} MiB after ${REQUESTS}`,
  );
  assert.deepEqual(failures.slice(0, 40), [], `${failures.length} answers outside what each request allows`);
  assert.doesNotMatch(main.output(), /Unhandled error|panicked/);
  for (const route of ["GET /login", "POST /login", "POST /logout"]) {
    assert.ok((handledLoginRequests.get(route) ?? 0) > 0, `the fuzz reached ${route}`);
  }
  assert.ok(rss[1] - rss[0] <= MAX_RSS_GROWTH_MIB, `memory grew ${(rss[1] - rss[0]).toFixed(1)} MiB`);
}
