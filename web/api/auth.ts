/**
 * Optional authentication of the dashboard, the API, /metrics and every WebSocket. With AUTH_PASSWORD (or
 * AUTH_PASSWORD_HASH) a login page sets an HttpOnly, SameSite=Strict session cookie (browsers send it on
 * same-origin WebSocket upgrades too); scripts send `Authorization: Bearer <API_TOKEN>`. Secrets are compared
 * as SHA-256 digests in constant time; failed attempts are throttled per client address and globally.
 * Without any secret configured everything is open, and `exposureWarning` tells main.ts what to log.
 */
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SESSION_TTL_SEC, SessionTable } from "./auth_sessions.ts";
import { LoginThrottle } from "./login_throttle.ts";
import { type LoginNotice, renderLoginPage } from "./login_page.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "netledger_session";

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
  /** Records a failed attempt and logs once when it locks the client out. */
  recordFailure(clientAddress: string, what: string): void;
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
  return {
    isEnabled: passwordDigest !== null || tokenDigest !== null,
    hasPassword: passwordDigest !== null,
    sessions: new SessionTable(now),
    throttle,
    checkPassword: (password) => matchesDigest(password, passwordDigest),
    checkToken: (token) => matchesDigest(token, tokenDigest),
    recordFailure(clientAddress, what) {
      const wasLocked = throttle.retryAfterSec(clientAddress) > 0;
      throttle.recordFailure(clientAddress);
      const waitSec = throttle.retryAfterSec(clientAddress);
      if (!wasLocked && waitSec > 0) {
        log(
          `Refusing logins from "${clientAddress}" for ${waitSec} s: too many failed attempts (last: ${what})`,
        );
      }
    },
  };
}

/**
 * Middleware that lets a request through when auth is off, the path is open, the session cookie is valid or the
 * bearer token matches. Otherwise: 401 `{"error"}` for /api, /metrics and WebSocket upgrades, a redirect to
 * /login for pages, 429 with Retry-After while the client is locked out. Register it before every route.
 */
export function authMiddleware(auth: Auth): MiddlewareHandler {
  return async (c, next) => {
    if (!auth.isEnabled || OPEN_PATHS.includes(c.req.path)) return await next();
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const client = clientAddress(c);
      const waitSec = auth.throttle.retryAfterSec(client);
      if (waitSec > 0) return tooManyAttempts(c, waitSec);
      const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
      if (token !== undefined && await auth.checkToken(token)) {
        auth.throttle.recordSuccess(client);
        return await next();
      }
      auth.recordFailure(client, "API token");
      return unauthorized(c, "Wrong API token: send Authorization: Bearer <API_TOKEN> as configured");
    }
    const sessionId = getCookie(c, SESSION_COOKIE);
    if (sessionId !== undefined && auth.sessions.isValid(sessionId)) return await next();
    const isWebSocket = c.req.header("upgrade")?.toLowerCase() === "websocket";
    const isPage = (c.req.method === "GET" || c.req.method === "HEAD") && !isApiPath(c.req.path);
    if (isPage && !isWebSocket) {
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
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
      return c.redirect(next, 303);
    }
    return loginPage(c, 200, auth.hasPassword ? "none" : "no_password_configured", next);
  });
  app.post(
    "/login",
    bodyLimit({ maxSize: 4096, onError: (c) => c.json({ error: "Login form too large" }, 413) }),
    async (c) => {
      if (!auth.isEnabled) return c.redirect("/", 303);
      if (!isSameOrigin(c)) return c.json({ error: "Login refused: the form came from another origin" }, 403);
      const form = await c.req.parseBody();
      const next = safeNext(typeof form.next === "string" ? form.next : undefined);
      if (!auth.hasPassword) return loginPage(c, 403, "no_password_configured", next);
      const client = clientAddress(c);
      const waitSec = auth.throttle.retryAfterSec(client);
      if (waitSec > 0) return loginPage(c, 429, "locked", next, waitSec);
      const password = typeof form.password === "string" ? form.password : "";
      if (!(await auth.checkPassword(password))) {
        auth.recordFailure(client, "password");
        const lockedSec = auth.throttle.retryAfterSec(client);
        return lockedSec > 0
          ? loginPage(c, 429, "locked", next, lockedSec)
          : loginPage(c, 401, "wrong_password", next);
      }
      auth.throttle.recordSuccess(client);
      setCookie(c, SESSION_COOKIE, auth.sessions.create(), {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
        maxAge: SESSION_TTL_SEC,
        secure: isHttps(c),
      });
      return c.redirect(next, 303);
    },
  );
  app.post("/logout", (c) => {
    const sessionId = getCookie(c, SESSION_COOKIE);
    if (sessionId !== undefined) auth.sessions.delete(sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Strict", secure: isHttps(c) });
    return c.redirect("/login", 303);
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

function tooManyAttempts(c: Context, waitSec: number): Response {
  c.header("Retry-After", String(waitSec));
  return c.json({ error: `Too many failed attempts from this address: retry in ${waitSec} s` }, 429);
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

/** A local path to return to after login; anything else (absolute URLs, `//host`, backslashes) becomes "/". */
function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith("/") || next.startsWith("//") || /[\\\r\n]/.test(next)) {
    return "/";
  }
  return next;
}

/** The peer address from Deno.serve's handler info (c.env); "unknown" when served some other way. */
function clientAddress(c: Context): string {
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}

function isSameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined || origin === "null") return origin === undefined;
  try {
    return new URL(origin).host === (c.req.header("host") ?? new URL(c.req.url).host);
  } catch (e) {
    if (e instanceof TypeError) return false;
    throw e;
  }
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
