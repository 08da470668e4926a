/**
 * Delivery of one alert over one channel: a generic webhook (JSON POST, optional secret header), ntfy (POST
 * the text to a topic URL) or a Telegram bot (sendMessage). Each try gives up after 10 s. Failures are
 * described without URLs or secrets: a Telegram token is part of its URL, a ntfy topic is a password.
 */
import type { AlertMessage } from "./alert_message.ts";

/** A configured channel; its URLs and secrets never leave the server's memory except in its own request. */
export type AlertChannel =
  | {
    readonly kind: "webhook";
    readonly url: string;
    /** Sent in the header X-Netledger-Secret when set. */
    readonly secret: string | null;
  }
  | { readonly kind: "ntfy"; readonly topicUrl: string; readonly token: string | null }
  | {
    readonly kind: "telegram";
    /** https://api.telegram.org, or a local receiver in tests. */
    readonly apiUrl: string;
    readonly token: string;
    readonly chatId: string;
  };

/** The header the webhook secret is sent in. */
export const WEBHOOK_SECRET_HEADER = "X-Netledger-Secret";
/** One try's limit: a slow receiver is retried later (issue 16 "Bad input"). */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Why a try failed, in words safe for the log and the API. */
export class DeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DeliveryError";
  }
}

/** Sends `message` over `channel` once; throws DeliveryError on a timeout, a network error or a non-2xx answer. */
export async function deliverAlert(
  channel: AlertChannel,
  message: AlertMessage & { readonly delivery_id: number },
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const request = requestOf(channel, message);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
  } catch (e) {
    if (e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError")) {
      throw new DeliveryError(`timeout after ${timeoutMs / 1000} s`, { cause: e });
    }
    // Deno's fetch errors quote the URL ("error sending request for url (…)"): keep only the reason.
    const reason = (e as Error).message.replace(/\bhttps?:\/\/\S*/g, "<url>").slice(0, 200);
    throw new DeliveryError(`connection failed: ${reason}`, { cause: e });
  }
  await response.body?.cancel();
  if (!response.ok) throw new DeliveryError(`HTTP ${response.status} from the ${channel.kind} receiver`);
}

function requestOf(channel: AlertChannel, message: AlertMessage & { readonly delivery_id: number }) {
  switch (channel.kind) {
    case "webhook": {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (channel.secret !== null) headers[WEBHOOK_SECRET_HEADER] = channel.secret;
      return { url: channel.url, headers, body: JSON.stringify(message) };
    }
    case "ntfy": {
      // ntfy reads the title and tags from headers; header values must be ASCII, so the title is cut to it.
      const headers: Record<string, string> = {
        "title": message.title.replace(/[^\x20-\x7e]/g, "?"),
        "tags": "warning",
        "priority": message.threshold === "forecast" ? "default" : "high",
      };
      if (channel.token !== null) headers.authorization = `Bearer ${channel.token}`;
      return { url: channel.topicUrl, headers, body: message.text };
    }
    case "telegram":
      return {
        url: `${channel.apiUrl.replace(/\/+$/, "")}/bot${channel.token}/sendMessage`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ chat_id: channel.chatId, text: message.text }),
      };
  }
}
