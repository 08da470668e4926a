import assert from "node:assert/strict";
import { createLoginRedirect, loginUrl, type PageLocation, PENDING_LOGIN_KEY } from "./login_redirect.ts";

/** A page at `/` + `hash` that records where it was sent instead of navigating. */
function fakePage(hash: string): PageLocation & { readonly visited: string[] } {
  const visited: string[] = [];
  return { pathname: "/", search: "", hash, visited, assign: (url) => visited.push(url) };
}

Deno.test("loginUrl() returns to the path, query and hash of the page", () => {
  assert.equal(
    loginUrl({ pathname: "/", search: "?opened=link", hash: "#/monitoring?ip=192.0.2.7" }),
    "/login?next=%2F%3Fopened%3Dlink%23%2Fmonitoring%3Fip%3D192.0.2.7",
  );
});

Deno.test("createLoginRedirect() leaves once per page however many calls answer 401", () => {
  const page = fakePage("#/monitoring");
  const redirect = createLoginRedirect(page, sessionStorage);
  try {
    redirect.onUnauthorized();
    redirect.onUnauthorized();
    assert.deepEqual(page.visited, ["/login?next=%2F%23%2Fmonitoring"]);
  } finally {
    sessionStorage.removeItem(PENDING_LOGIN_KEY);
  }
});

Deno.test("createLoginRedirect() stays on a page that is refused again after its trip to the login page", () => {
  try {
    createLoginRedirect(fakePage("#/"), sessionStorage).onUnauthorized();
    // The login page sent the browser straight back (a proxy's 401 that no login fixes): no second trip.
    const back = fakePage("#/");
    const redirect = createLoginRedirect(back, sessionStorage);
    redirect.onSuccess("/api/health");
    redirect.onSuccess("/api/session");
    redirect.onUnauthorized();
    assert.deepEqual(back.visited, []);
    // A call that needed the session succeeded: the next 401 is a new expiry, worth a login.
    redirect.onSuccess("/api/summary?x=1");
    const later = fakePage("#/");
    createLoginRedirect(later, sessionStorage).onUnauthorized();
    assert.deepEqual(later.visited, ["/login?next=%2F%23%2F"]);
  } finally {
    sessionStorage.removeItem(PENDING_LOGIN_KEY);
  }
});

Deno.test("createLoginRedirect() without storage still leaves once per page", () => {
  const page = fakePage("");
  const redirect = createLoginRedirect(page, null);
  redirect.onUnauthorized();
  redirect.onUnauthorized();
  assert.deepEqual(page.visited, ["/login?next=%2F"]);
});

Deno.test("createLoginRedirect() does not redirect a page that is leaving by itself", () => {
  const page = fakePage("#/");
  const redirect = createLoginRedirect(page, sessionStorage);
  redirect.onLeaving();
  redirect.onUnauthorized();
  assert.deepEqual(page.visited, []);
  assert.equal(sessionStorage.getItem(PENDING_LOGIN_KEY), null);
});
