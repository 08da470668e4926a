/**
 * Leaving for the login page when an API call answers 401 (the session expired, the server restarted, or the
 * user logged out in another tab): once per page, and never in a loop. A 401 that logging in cannot fix (a
 * reverse proxy guarding /api by itself, a server that drops the session at once) would otherwise bounce
 * between the login page and the dashboard forever, so the target is remembered in the tab's sessionStorage
 * until a call that needs a session succeeds; a 401 for the same target then stays on the page, which shows
 * the call's error.
 */

/** The parts of `window.location` the redirect reads and drives. */
export interface PageLocation {
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  assign(url: string): void;
}

/** The login redirect of one page. */
export interface LoginRedirect {
  /** Call on every 401: goes to the login page unless already leaving or that trip did not help before. */
  onUnauthorized(): void;
  /** Call after every successful API call to `path`: a session proved good clears the loop guard. */
  onSuccess(path: string): void;
  /** Call when the page leaves by itself (Log out): a 401 from then on is expected and redirects nowhere. */
  onLeaving(): void;
}

/**
 * Paths the server answers without a session (OPEN_PATHS of web/api/auth.ts, which web/ui may not import):
 * their success proves nothing about the session, so they leave the loop guard in place.
 */
const OPEN_API_PATHS: readonly string[] = ["/api/health", "/api/session"];

/** sessionStorage key holding the last login address the page left for. */
export const PENDING_LOGIN_KEY = "netledger.pendingLogin";

/** "/login?next=…" that returns to the path, query and hash of `here` after logging in. */
export function loginUrl(here: Pick<PageLocation, "pathname" | "search" | "hash">): string {
  return `/login?next=${encodeURIComponent(here.pathname + here.search + here.hash)}`;
}

/**
 * The redirect for a page at `page`. `storage` carries the loop guard across page loads; with null (storage
 * blocked) only the once-per-page rule applies.
 */
export function createLoginRedirect(page: PageLocation, storage: Storage | null): LoginRedirect {
  let hasLeft = false;
  return {
    onUnauthorized() {
      if (hasLeft) return;
      const target = loginUrl(page);
      if (storage?.getItem(PENDING_LOGIN_KEY) === target) return;
      hasLeft = true;
      storage?.setItem(PENDING_LOGIN_KEY, target);
      page.assign(target);
    },
    onLeaving() {
      hasLeft = true;
    },
    onSuccess(path) {
      if (!OPEN_API_PATHS.includes(path.split("?")[0])) storage?.removeItem(PENDING_LOGIN_KEY);
    },
  };
}
