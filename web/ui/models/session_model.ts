/**
 * The browser's login session, asked once per page from GET /api/session: whether the header offers
 * "Log out" (only to a browser logged in with the session cookie, and only when auth is on), and logging out.
 */
import { computed, createModel, effect, signal } from "@preact/signals";
import { getJson, logOut, type SessionJson } from "../api.ts";

/** Loads /api/session; `canLogOut` is false until it answers. `logOut()` ends the session and leaves. */
export const SessionModel = createModel(() => {
  const session = signal<SessionJson | null>(null);
  const canLogOut = computed(() => session.value?.auth_enabled === true && session.value.authenticated);
  effect(() => {
    let isStopped = false;
    getJson<SessionJson>("/api/session").then(
      (next) => {
        if (!isStopped) session.value = next;
      },
      // Without an answer the header just offers no "Log out"; the status strip already reports an
      // unreachable server, from its own poll of /api/health.
      () => {},
    );
    return () => {
      isStopped = true;
    };
  });
  return { canLogOut, logOut };
});

/** An instance of SessionModel. */
export type Session = InstanceType<typeof SessionModel>;
