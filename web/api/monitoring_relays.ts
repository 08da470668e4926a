/**
 * The two WebSocket relays of the Monitoring API: `/api/monitoring/ws/traffic` and `/ws/connections` attach a
 * browser to the ClashMonitor's shared upstream subscription of the core's stream. No path or query of the
 * browser reaches the core (no open relay) and the secret never leaves the server. Without CLASH_API_URL there
 * is no stream: the upgrade is refused with 404 and the monitor's explanation, not left open and silent.
 * A socket opened with a session cookie is registered under that session, so logging out closes it.
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import type { ClashMonitor, StreamHub } from "../../clash/mod.ts";
import type { ErrorJson } from "../api_types.ts";
import { authStateOf } from "./auth.ts";
import { isSameOrigin } from "./request_guard.ts";

/** The relays as a Hono app with full paths; mount with `app.route("/", monitoringRelays(monitor))`. */
export function monitoringRelays(monitor: ClashMonitor): Hono {
  const app = new Hono();
  for (
    const [path, hub] of [["traffic", monitor.trafficHub], ["connections", monitor.connectionsHub]] as const
  ) {
    app.get(
      `/api/monitoring/ws/${path}`,
      async (c, next) => {
        if (!monitor.isConfigured) return c.json<ErrorJson>({ error: monitor.status().message }, 404);
        if (!isSameOrigin(c)) {
          // Cross-site WebSocket hijacking: another site's page must not read the proxy clients' traffic.
          return c.json<ErrorJson>({ error: "WebSocket from another origin refused" }, 403);
        }
        await next();
      },
      relay(hub),
      (c) => c.json<ErrorJson>({ error: "Expected a WebSocket upgrade" }, 426),
    );
  }
  return app;
}

/** Attaches one browser socket to a hub for its lifetime. */
function relay(hub: StreamHub) {
  return upgradeWebSocket((c) => {
    const { attachSocket } = authStateOf(c);
    let unsubscribe: (() => void) | null = null;
    let detach: (() => void) | null = null;
    return {
      onOpen: (_event: Event, ws: WSContext<WebSocket>) => {
        const socket = ws.raw!;
        unsubscribe = hub.subscribe({
          send: (text) => socket.send(text),
          bufferedBytes: () => socket.bufferedAmount,
        });
        detach = attachSocket(socket);
      },
      onClose: () => {
        unsubscribe?.();
        detach?.();
      },
    };
  });
}
