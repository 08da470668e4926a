/**
 * Optional authentication of the dashboard, the API, /metrics and every WebSocket. With AUTH_PASSWORD (or
 * AUTH_PASSWORD_HASH) a login page sets an HttpOnly, SameSite=Strict session cookie (browsers send it on
 * same-origin WebSocket upgrades too); scripts send `Authorization: Bearer <API_TOKEN>`. Secrets are compared
 * as SHA-256 digests in constant time; failed attempts are throttled per client address and globally
 * (login_throttle.ts). Without any secret configured everything is open, and `exposureWarning` tells main.ts
 * what to log. Every request leaves its AuthState in the Hono context for the routes (`authStateOf`).
 */
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SESSION_TTL_SEC, type SessionSocket, SessionTable } from "./auth_sessions.ts";
import { FAILURE_WINDOW_SEC, LoginThrottle, MAX_FAILURES_GLOBAL } from "./login_throttle.ts";
import { type LoginNotice, renderLoginPage } from "./login_page.ts";
import { isSameOrigin, safeHeaderValue } from "./request_guard.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "netledger_session";

/** Longest `next` path kept after login; longer ones become "/". */
const MAX_NEXT_CHARS = 2048;
/** A local path of printable ASCII without spaces (0x21–0x7E): no control character, TAB or non-ASCII. */
const NEXT_PATH_REGEXP = /^\/[\x21-\x7e]*$/;

const WINDOW_MIN = FAILURE_WINDOW_SEC / 60;

/** Paths reachable without credentials, exactly as written (no prefixes). */
export const OPEN_PATHS: readonly string[] = ["/api/health", "/api/session", "/login", "/logout"];

/** Secrets from Config.auth, plus seams for tests. */
export interface AuthOptions {
  readonly password: string | null;
  /** "sha256:<64 lowercase hex>" of the UTF-8 password; wins over `password` when both are set. */
  readonly passwordHash: string | null;
  readonly apiToken: string | null;
  /** Clock in milliseconds; defaults to Date.now. */
  readonly now?: () => number;
  /** One line per lockout; defaults to console.warn. */
  readonly log?: (line: string) => void;
}

/** What authMiddleware found out about a request, kept in the Hono context (`c.get("authState")`). */
export interface AuthState {
  /** True when auth is off, or the request carries a valid session cookie or the API token. */
  readonly isAuthenticated: boolean;
  /** The valid session the request came with; null for the API token, no credentials or auth off. */
  readonly sessionId: string | null;
  /**
   * Registers a WebSocket opened by this request under its session, so that logout closes it; returns the
   * function that unregisters it (call it when the socket closes). A no-op without a session.
   */
  readonly attachSocket: (socket: SessionSocket) => () => void;
}

declare module "hono" {
  interface ContextVariableMap {
    authState: AuthState;
  }
}

/**
 * The outcome of one password or token check under the throttle: "locked" with the wait and whether one
 * address (`isGlobal` false) or all addresses together tripped the limit.
 */
export type AttemptResult =
  | { readonly kind: "accepted" }
  | { readonly kind: "wrong" }
  | { readonly kind: "locked"; readonly waitSec: number; readonly isGlobal: boolean };

/** The resolved secrets and the in-memory state (sessions, throttle) shared by the middleware and routes. */
export interface Auth {
  /** True when any secret is configured: then every non-open path needs a session or the API token. */
  readonly isEnabled: boolean;
  /** True when a password is configured (the login page can succeed). */
  readonly hasPassword: boolean;
  readonly sessions: SessionTable;
  readonly throttle: LoginThrottle;
  /** Constant-time check of a login password. */
  checkPassword(password: string): Promise<boolean>;
  /** Constant-time check of a bearer token. */
  checkToken(token: string): Promise<boolean>;
  /**
   * Checks one credential from `clientAddress` under the throttle: a locked-out address is refused unchecked;
   * otherwise `check()` decides, and a correct credential gets in even past the global limit. A failure is
   * counted, and the line of a new lockout is logged once. `what` names the credential in that line.
   */
  attempt(clientAddress: string, what: string, check: () => Promise<boolean>): Promise<AttemptResult>;
}

/** Builds the Auth state from the configured secrets. Call once per server. */
export function createAuth(options: AuthOptions): Auth {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.warn(line));
  const passwordDigest = options.passwordHash !== null
    ? Promise.resolve(hexToBytes(options.passwordHash.slice("sha256:".length)))
    : options.password !== null
    ? sha256(options.password)
    : null;
  const tokenDigest = options.apiToken !== null ? sha256(options.apiToken) : null;
  const throttle = new LoginThrottle(now);
  const sessions = new SessionTable(now);
  return {
    isEnabled: passwordDigest !== null || tokenDigest !== null,
    hasPassword: passwordDigest !== null,
    sessions,
    throttle,
    checkPassword: (password) => matchesDigest(password, passwordDigest),
    checkToken: (token) => matchesDigest(token, tokenDigest),
    async attempt(clientAddress, what, check) {
      const clientWaitSec = throttle.clientRetryAfterSec(clientAddress);
      if (clientWaitSec > 0) return { kind: "locked", waitSec: clientWaitSec, isGlobal: false };
      if (await check()) {
        throttle.recordSuccess(clientAddress);
        return { kind: "accepted" };
      }
      const wasGloballyLocked = throttle.globalRetryAfterSec() > 0;
      throttle.recordFailure(clientAddress);
      const waitSec = throttle.clientRetryAfterSec(clientAddress);
      const globalWaitSec = throttle.globalRetryAfterSec();
      if (waitSec > 0) {
        log(
          `Refusing logins from "${clientAddress}" for ${waitSec} s: too many failed attempts (last: ${what})`,
        );
      }
      if (!wasGloballyLocked && globalWaitSec > 0) {
        log(
          `Refusing wrong passwords and tokens from every address for ${globalWaitSec} s: ` +
            `${MAX_FAILURES_GLOBAL} failed attempts from all addresses within ${WINDOW_MIN} min ` +
            `(last: ${what} from "${clientAddress}"); the correct password and API token still get in`,
        );
      }
      if (waitSec > 0) return { kind: "locked", waitSec, isGlobal: false };
      if (globalWaitSec > 0) return { kind: "locked", waitSec: globalWaitSec, isGlobal: true };
      return { kind: "wrong" };
    },
  };
}

/** The AuthState authMiddleware left on `c`; unauthenticated when the middleware did not run. */
export function authStateOf(c: Context): AuthState {
  return c.get("authState") ?? ANONYMOUS;
}

const noSocketRegistry = () => () => {};
const ANONYMOUS: AuthState = { isAuthenticated: false, sessionId: null, attachSocket: noSocketRegistry };
const WITHOUT_SESSION: AuthState = { isAuthenticated: true, sessionId: null, attachSocket: noSocketRegistry };

/**
 * Middleware that lets a request through when auth is off, the path is open, the session cookie is valid or the
 * bearer token matches, and records which in the request's AuthState. Otherwise: 401 `{"error"}` for /api,
 * /metrics and WebSocket upgrades, a redirect to /login for pages, 429 with Retry-After while wrong attempts
 * are refused. On an open path a wrong or refused token only counts as a failure (so /api/health's longer
 * answer is no unthrottled token oracle) and the request goes on unauthenticated. Register it before every
 * route.
 */
export function authMiddleware(auth: Auth): MiddlewareHandler {
  return async (c, next) => {
    if (!auth.isEnabled) {
      c.set("authState", WITHOUT_SESSION);
      return await next();
    }
    const isOpen = OPEN_PATHS.includes(c.req.path);
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
      const result = await auth.attempt(
        clientAddress(c),
        "API token",
        () => token === undefined ? Promise.resolve(false) : auth.checkToken(token),
      );
      if (result.kind === "accepted") {
        c.set("authState", WITHOUT_SESSION);
        return await next();
      }
      c.set("authState", ANONYMOUS);
      if (isOpen) return await next();
      if (result.kind === "locked") return tooManyAttempts(c, result.waitSec, result.isGlobal);
      return unauthorized(c, "Wrong API token: send Authorization: Bearer <API_TOKEN> as configured");
    }
    const sessionId = getCookie(c, SESSION_COOKIE);
    if (sessionId !== undefined && auth.sessions.isValid(sessionId)) {
      c.set("authState", {
        isAuthenticated: true,
        sessionId,
        attachSocket: (socket) => auth.sessions.attachSocket(sessionId, socket),
      });
      return await next();
    }
    c.set("authState", ANONYMOUS);
    if (isOpen) return await next();
    const isWebSocket = c.req.header("upgrade")?.toLowerCase() === "websocket";
    const isPage = (c.req.method === "GET" || c.req.method === "HEAD") && !isApiPath(c.req.path);
    if (isPage && !isWebSocket) {
      const url = new URL(c.req.url);
      return redirect(c, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    }
    return unauthorized(
      c,
      "Authentication required: log in at /login or send Authorization: Bearer <API_TOKEN>",
    );
  };
}

/** GET/POST /login, POST /logout and GET /api/session (whether auth is on and this request is logged in). */
export function authRoutes(auth: Auth): Hono {
  const app = new Hono();
  app.get("/api/session", (c) => {
    const sessionId = getCookie(c, SESSION_COOKIE);
    const isAuthenticated = !auth.isEnabled || (sessionId !== undefined && auth.sessions.isValid(sessionId));
    c.header("Cache-Control", "no-store");
    return c.json({
      auth_enabled: auth.isEnabled,
      password_login: auth.hasPassword,
      authenticated: isAuthenticated,
    });
  });
  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    const sessionId = getCookie(c, SESSION_COOKIE);
    if (!auth.isEnabled || (sessionId !== undefined && auth.sessions.isValid(sessionId))) {
      return redirect(c, next);
    }
    return loginPage(c, 200, auth.hasPassword ? "none" : "no_password_configured", next);
  });
  app.post(
    "/login",
    bodyLimit({ maxSize: 4096, onError: (c) => c.json({ error: "Login form too large" }, 413) }),
    async (c) => {
      if (!auth.isEnabled) return redirect(c, "/");
      if (!isSameOrigin(c)) return c.json({ error: "Login refused: the form came from another origin" }, 403);
      const form = await c.req.parseBody();
      const next = safeNext(typeof form.next === "string" ? form.next : undefined);
      if (!auth.hasPassword) return loginPage(c, 403, "no_password_configured", next);
      const password = typeof form.password === "string" ? form.password : "";
      const result = await auth.attempt(clientAddress(c), "password", () => auth.checkPassword(password));
      if (result.kind === "locked") return loginPage(c, 429, "locked", next, result.waitSec);
      if (result.kind === "wrong") return loginPage(c, 401, "wrong_password", next);
      setCookie(c, SESSION_COOKIE, auth.sessions.create(), {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
        maxAge: SESSION_TTL_SEC,
        secure: isHttps(c),
      });
      return redirect(c, next);
    },
  );
  app.post("/logout", (c) => {
    // Same-site logout CSRF (finding 8): another page must not end the owner's session.
    if (!isSameOrigin(c)) return c.json({ error: "Logout refused: the form came from another origin" }, 403);
    const sessionId = getCookie(c, SESSION_COOKIE);
    if (sessionId !== undefined) auth.sessions.delete(sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Strict", secure: isHttps(c) });
    return redirect(c, "/login");
  });
  return app;
}

/** True when `bindAddress` accepts connections from other hosts (anything but 127.0.0.0/8, ::1, localhost). */
export function isBeyondLoopback(bindAddress: string): boolean {
  const address = bindAddress.trim().replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (address === "localhost" || address === "::1" || address === "0:0:0:0:0:0:0:1") return false;
  return !/^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** The warning main.ts logs at startup when nothing protects a listener reachable from other hosts; else null. */
export function exposureWarning(
  options: { bindAddress: string; webPort: number; isAuthEnabled: boolean },
): string | null {
  if (options.isAuthEnabled || !isBeyondLoopback(options.bindAddress)) return null;
  return `Serving without authentication on "${options.bindAddress}:${options.webPort}": anyone who reaches this port ` +
    "sees every device's traffic; set AUTH_PASSWORD (and API_TOKEN for scripts) or BIND=127.0.0.1";
}

function isApiPath(path: string): boolean {
  return path === "/api" || path.startsWith("/api/") || path === "/metrics";
}

function unauthorized(c: Context, error: string): Response {
  c.header("WWW-Authenticate", 'Bearer realm="netledger"');
  c.header("Cache-Control", "no-store");
  return c.json({ error }, 401);
}

function tooManyAttempts(c: Context, waitSec: number, isGlobal: boolean): Response {
  c.header("Retry-After", String(waitSec));
  c.header("Cache-Control", "no-store");
  const error = isGlobal
    ? `Wrong API token, and too many failed attempts from all addresses: wrong ones are refused for ${waitSec} s`
    : `Too many failed attempts from this address: retry in ${waitSec} s`;
  return c.json({ error }, 429);
}

/** A 303 to `location`, which may come from input: it goes through the one checked header helper. */
function redirect(c: Context, location: string): Response {
  return c.redirect(safeHeaderValue(location), 303);
}

function loginPage(
  c: Context,
  status: 200 | 401 | 403 | 429,
  notice: LoginNotice,
  next: string,
  waitSec = 0,
): Response {
  c.header("Cache-Control", "no-store");
  c.header("X-Frame-Options", "DENY");
  c.header(
    "Content-Security-Policy",
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  );
  if (status === 429) c.header("Retry-After", String(waitSec));
  const html = renderLoginPage({
    acceptLanguage: c.req.header("accept-language"),
    next,
    notice,
    retryAfterSec: waitSec,
  });
  return c.html(html, status);
}

/**
 * A local path to return to after login, or "/": only "/" followed by printable ASCII without spaces, and no
 * `//` or `\` anywhere (a browser reads "//host", "/\host" and, skipping TAB and newlines, "/\t/host" as
 * another site: finding 2). Control characters never reach the Location header (finding 1).
 */
function safeNext(next: string | undefined): string {
  const isLocalPath = next !== undefined && next.length <= MAX_NEXT_CHARS && NEXT_PATH_REGEXP.test(next) &&
    !next.includes("//") && !next.includes("\\");
  return isLocalPath ? next : "/";
}

/** The peer address from Deno.serve's handler info (c.env); "unknown" when served some other way. */
function clientAddress(c: Context): string {
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}

/** Secure cookies only over TLS (a reverse proxy says so in X-Forwarded-Proto); a LAN appliance is plain HTTP. */
function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** Compares the digest of `given` with `expected` without an early exit, so timing does not leak a prefix. */
async function matchesDigest(given: string, expected: Promise<Uint8Array> | null): Promise<boolean> {
  if (expected === null) return false;
  const [a, b] = [await sha256(given), await expected];
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ (b[i] ?? 0);
  return difference === 0;
}
