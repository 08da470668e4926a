/**
 * One browser WebSocket to a relay of the server (/api/monitoring/ws/traffic or /ws/connections: the server
 * relays the core's stream and adds the secret itself), reopened with capped backoff until stopped.
 */

const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** What a relay reports: each text frame, and whether the socket is open. */
export interface RelayHandlers {
  onText(text: string): void;
  onOpenChange(isOpen: boolean): void;
}

/** Follows the relay at `path` (e.g. "/api/monitoring/ws/traffic"); returns the function that stops it. */
export function followRelay(path: string, handlers: RelayHandlers): () => void {
  let socket: WebSocket | null = null;
  let retryMs = MIN_RETRY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let isStopped = false;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${path}`);
    socket.onopen = () => {
      handlers.onOpenChange(true);
      retryMs = MIN_RETRY_MS;
    };
    socket.onmessage = (e) => {
      if (typeof e.data === "string") handlers.onText(e.data);
    };
    socket.onclose = () => {
      handlers.onOpenChange(false);
      if (isStopped) return;
      timer = setTimeout(connect, retryMs);
      retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    };
  };
  connect();
  return () => {
    isStopped = true;
    clearTimeout(timer);
    socket?.close();
  };
}
