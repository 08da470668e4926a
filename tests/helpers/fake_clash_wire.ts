/**
 * The `/connections` snapshot as each core writes it (docs/clash-accounting.md §1.5 for sing-box, §2 for
 * mihomo): field order, extra metadata, `null` for an empty list, and Go's HTML escaping. Used by
 * fake_clash.ts.
 */

/** One tracked connection of the fake core. */
export interface FakeConnection {
  readonly id: string;
  readonly sourceIP: string;
  readonly host: string;
  readonly destinationIP: string;
  readonly destinationPort: string;
  readonly network: "tcp" | "udp";
  readonly type: string;
  /** As the core lists them: leaf first. */
  readonly chains: readonly string[];
  readonly rule: string;
  readonly start: string;
  upload: number;
  download: number;
  /** Counters in the last snapshot sent that listed it; null if never listed. */
  sentUpload: number | null;
  sentDownload: number | null;
}

/** The text of one `/connections` snapshot listing `list`, in the layout of `flavor`. */
export function snapshotText(
  flavor: "sing-box" | "mihomo",
  list: readonly FakeConnection[],
  totals: { readonly uploadTotal: number; readonly downloadTotal: number },
): string {
  const { uploadTotal, downloadTotal } = totals;
  const snapshot = flavor === "mihomo"
    ? {
      downloadTotal,
      uploadTotal,
      connections: list.length ? list.map(mihomoConnection) : null,
      memory: 0,
    }
    : { connections: list.map(singBoxConnection), downloadTotal, memory: 31481856, uploadTotal };
  // Go's json.Encoder escapes HTML characters ("=>" arrives as "=\u003e").
  return JSON.stringify(snapshot).replace(/[<>&]/g, (ch) => `\\u00${ch.charCodeAt(0).toString(16)}`);
}

/** sing-box field layout: a Go map, keys sorted (§1.5). */
function singBoxConnection(c: FakeConnection) {
  return {
    chains: c.chains,
    download: c.download,
    id: c.id,
    metadata: {
      destinationIP: c.destinationIP,
      destinationPort: c.destinationPort,
      dnsMode: "normal",
      host: c.host,
      network: c.network,
      processPath: "",
      sourceIP: c.sourceIP,
      sourcePort: "50000",
      type: c.type,
    },
    rule: c.rule,
    rulePayload: "",
    start: c.start,
    upload: c.upload,
  };
}

/** mihomo field layout: struct order and its extra metadata (§2). */
function mihomoConnection(c: FakeConnection) {
  return {
    id: c.id,
    metadata: {
      network: c.network,
      type: c.type,
      sourceIP: c.sourceIP,
      destinationIP: c.destinationIP,
      sourceGeoIP: null,
      destinationGeoIP: null,
      sourcePort: "50000",
      destinationPort: c.destinationPort,
      inboundIP: "",
      inboundPort: "0",
      inboundName: "tun",
      host: c.host,
      dnsMode: "normal",
      uid: 0,
      process: "",
      processPath: "",
      specialProxy: "",
      specialRules: "",
      remoteDestination: c.destinationIP,
      dscp: 0,
      sniffHost: "",
    },
    upload: c.upload,
    download: c.download,
    start: c.start,
    chains: c.chains,
    rule: c.rule,
    rulePayload: "",
  };
}
