/**
 * Reading one `/connections` entry: who (client = normalised source IP), what (resource = host, else
 * destination IP) and how (the outbound chain and rule), tolerant of sing-box and mihomo layouts.
 */
import { normalizeClientIp } from "./client_ip.ts";
import { CHAIN_SEPARATOR, type ClashLiveConnection, NO_CHAIN, UNKNOWN_RESOURCE } from "./types.ts";

/** What a connection is attributed to and how it is shown; fixed at first sight. */
export type LiveFacts = Omit<ClashLiveConnection, "id" | "upBytes" | "downBytes">;

/** The `metadata` fields netledger reads, which both cores send (docs/clash-accounting.md §1.5, §2). */
export interface WireMetadata {
  readonly sourceIP?: unknown;
  readonly destinationIP?: unknown;
  readonly destinationPort?: unknown;
  readonly host?: unknown;
  readonly network?: unknown;
  readonly type?: unknown;
}

/** One entry of a snapshot's `connections`, unchecked: every field may be missing or of another type. */
export interface WireConnection {
  readonly id?: unknown;
  readonly upload?: unknown;
  readonly download?: unknown;
  readonly start?: unknown;
  readonly chains?: unknown;
  readonly rule?: unknown;
  readonly metadata?: WireMetadata | null;
}

/** Attribution of a connection; null for mihomo's Inner connections and entries without a source (P11). */
export function liveFacts(c: WireConnection): LiveFacts | null {
  const m = c.metadata;
  if (m === null || typeof m !== "object") return null;
  const sourceIp = typeof m.sourceIP === "string" ? normalizeClientIp(m.sourceIP) : "";
  if (sourceIp === "" || m.type === "Inner") return null;
  const host = typeof m.host === "string" ? m.host : "";
  const destinationIp = typeof m.destinationIP === "string" ? m.destinationIP : "";
  const port = typeof m.destinationPort === "string" ? m.destinationPort : "";
  const chains = Array.isArray(c.chains) ? c.chains.filter((x): x is string => typeof x === "string") : [];
  const startMs = typeof c.start === "string" ? Date.parse(c.start) : NaN;
  const resource = host || destinationIp || UNKNOWN_RESOURCE; // P3
  return {
    clientIp: sourceIp,
    resource,
    // The cores list the leaf first (sing-box#2739); people read it from the matched group down.
    chain: chains.length === 0 ? NO_CHAIN : chains.reverse().join(CHAIN_SEPARATOR),
    rule: typeof c.rule === "string" ? c.rule : "",
    network: typeof m.network === "string" ? m.network : "",
    inbound: typeof m.type === "string" ? m.type : "",
    destination: `${resource}${port && port !== "0" ? `:${port}` : ""}`,
    startSec: Number.isFinite(startMs) ? Math.floor(startMs / 1000) : null,
  };
}

/**
 * The host a client asked the core for and the address the core connected it to (issue 15 item 1): the
 * capture names that client's packets to that address by it. The host as the core sent it; the capture
 * validates it (sniff/host_name.ts).
 */
export interface ConnectionHost {
  readonly clientIp: string;
  readonly destinationIp: string;
  readonly host: string;
}

/**
 * The ConnectionHost of a connection whose liveFacts() are `facts` (so it has a client and is not Inner);
 * null without a host or a destination address.
 */
export function connectionHost(c: WireConnection, facts: LiveFacts): ConnectionHost | null {
  const host = c.metadata!.host;
  const destinationIp = c.metadata!.destinationIP;
  if (typeof host !== "string" || host === "" || typeof destinationIp !== "string" || destinationIp === "") {
    return null;
  }
  return { clientIp: facts.clientIp, destinationIp, host };
}
