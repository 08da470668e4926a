/**
 * A slow, obviously-correct model of issue #2 items 2 and 3, for property tests to compare the real parser
 * and classifier against: it indexes plain bytes, spells each rule out once, and holds addresses as BigInt.
 * It shares no code with capture/.
 */
import type { LocalAddresses } from "../../capture/mod.ts";

/** What the reference found in a frame; offsets are from the frame's first byte. */
export type Reference =
  | { kind: "ip"; family: 4 | 6; ipBytes: number; srcAt: number; dstAt: number; src: bigint; dst: bigint }
  | { kind: "malformed" | "not-ip" | "unsupported" };

const MALFORMED: Reference = { kind: "malformed" };
const NOT_IP: Reference = { kind: "not-ip" };
/** Link padding the parser may leave uncounted after the IP packet (Ethernet minimum frame, FCS). */
const TRAILER_ALLOWANCE = 46;

/** Parses `frame` (the captured bytes) of a frame `originalLen` long on the wire. */
export function referenceParse(frame: Uint8Array, originalLen: number, linkType: number): Reference {
  const wireLen = Math.max(originalLen, frame.length);
  const has = (n: number) => frame.length >= n;
  const u16 = (at: number) => frame[at] * 256 + frame[at + 1];

  function ip(at: number, wanted: 0 | 4 | 6): Reference {
    if (!has(at + 1)) return MALFORMED;
    const version = frame[at] >> 4;
    const onWire = wireLen - at;
    if (version === 4 && wanted !== 6) {
      if (!has(at + 20)) return MALFORMED;
      const headerLen = (frame[at] & 15) * 4;
      if (headerLen < 20 || headerLen > onWire) return MALFORMED;
      const field = u16(at + 2);
      let ipBytes: number;
      if (field === 0) ipBytes = onWire; // super-packet
      else if (field < headerLen || field > onWire) return MALFORMED;
      else ipBytes = onWire - field > TRAILER_ALLOWANCE ? onWire : field;
      return { kind: "ip", family: 4, ipBytes, srcAt: at + 12, dstAt: at + 16, ...addresses(at + 12, 4) };
    }
    if (version === 6 && wanted !== 4) {
      if (!has(at + 40) || onWire < 40) return MALFORMED;
      const field = 40 + u16(at + 4);
      if (field > onWire) return MALFORMED;
      const ipBytes = onWire - field > TRAILER_ALLOWANCE ? onWire : field;
      return { kind: "ip", family: 6, ipBytes, srcAt: at + 8, dstAt: at + 24, ...addresses(at + 8, 16) };
    }
    return MALFORMED;
  }

  function addresses(at: number, size: number): { src: bigint; dst: bigint } {
    return {
      src: toBigInt(frame.slice(at, at + size)),
      dst: toBigInt(frame.slice(at + size, at + 2 * size)),
    };
  }

  function afterEtherType(type: number, at: number): Reference {
    if (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
      return has(at + 4) ? afterEtherType(u16(at + 2), at + 4) : MALFORMED;
    }
    if (type === 0x0800) return ip(at, 4);
    if (type === 0x86dd) return ip(at, 6);
    if (type !== 0x8864) return NOT_IP;
    if (!has(at + 8)) return MALFORMED;
    if (frame[at] !== 0x11 || frame[at + 1] !== 0) return MALFORMED;
    return ppp(u16(at + 6), at + 8);
  }

  function ppp(protocol: number, at: number): Reference {
    if (protocol === 0x0021) return ip(at, 4);
    if (protocol === 0x0057) return ip(at, 6);
    return NOT_IP;
  }

  switch (linkType) {
    case 1:
      return has(14) ? afterEtherType(u16(12), 14) : MALFORMED;
    case 113:
      return has(16) ? afterEtherType(u16(14), 16) : MALFORMED;
    case 276:
      return has(20) ? afterEtherType(u16(0), 20) : MALFORMED;
    case 12:
    case 14:
    case 101:
      return ip(0, 0);
    case 228:
      return ip(0, 4);
    case 229:
      return ip(0, 6);
    case 9:
    case 50: {
      const at = has(2) && frame[0] === 0xff && frame[1] === 0x03 ? 2 : 0;
      return has(at + 2) ? ppp(u16(at), at + 2) : MALFORMED;
    }
    case 0:
    case 108: {
      if (!has(4)) return MALFORMED;
      const little = frame[0] + frame[1] * 256 + frame[2] * 65536 + frame[3] * 16777216;
      const big = frame[3] + frame[2] * 256 + frame[1] * 65536 + frame[0] * 16777216;
      if (little === 2 || big === 2) return ip(4, 4);
      if ([10, 24, 28, 30].some((af) => af === little || af === big)) return ip(4, 6);
      return NOT_IP;
    }
    default:
      return { kind: "unsupported" };
  }
}

/** The counted direction and remote of a parsed packet, or null when it is ignored. */
export function referenceClassify(
  ref: Extract<Reference, { kind: "ip" }>,
  local: LocalAddresses,
): { isUpload: boolean; remote: bigint; remoteFamily: 4 | 6 } | null {
  const isSrcNear = isNear(ref.family, ref.src, local);
  const isDstNear = isNear(ref.family, ref.dst, local);
  if (isSrcNear === isDstNear) return null;
  const remote = isSrcNear ? ref.dst : ref.src;
  if (ref.family === 6 && remote >> 32n === 0xffffn) {
    return { isUpload: isSrcNear, remote: remote & 0xffffffffn, remoteFamily: 4 };
  }
  return { isUpload: isSrcNear, remote, remoteFamily: ref.family };
}

const parsedTexts = new Map<string, { family: 4 | 6; value: bigint }>();

/** Address text to family and 32- or 128-bit value (memoized: the same few texts are asked for often). */
export function referenceParseIp(text: string): { family: 4 | 6; value: bigint } {
  let parsed = parsedTexts.get(text);
  if (parsed === undefined) {
    parsed = parseIpText(text);
    parsedTexts.set(text, parsed);
  }
  return parsed;
}

function parseIpText(text: string): { family: 4 | 6; value: bigint } {
  if (!text.includes(":")) {
    return { family: 4, value: text.split(".").reduce((n, part) => n * 256n + BigInt(Number(part)), 0n) };
  }
  let groups: string[];
  if (text.includes("::")) {
    const [head, tail] = text.split("::");
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tail === "" ? [] : tail.split(":");
    groups = [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  } else {
    groups = text.split(":");
  }
  const last = groups.at(-1)!;
  if (last.includes(".")) {
    const v4 = referenceParseIp(last).value;
    groups = [...groups.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
  }
  return { family: 6, value: groups.reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n) };
}

/** [first address, prefix length] of every never-public range, from issue #2 item 3. */
const NEVER_PUBLIC: Readonly<Record<4 | 6, readonly (readonly [string, number])[]>> = {
  4: [
    ["10.0.0.0", 8],
    ["172.16.0.0", 12],
    ["192.168.0.0", 16],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["0.0.0.0", 8],
    ["255.255.255.255", 32],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ],
  6: [["fe80::", 10], ["fc00::", 7], ["ff00::", 8], ["::1", 128], ["::", 128]],
};

function isNear(family: 4 | 6, address: bigint, local: LocalAddresses): boolean {
  if (family === 6 && address >> 32n === 0xffffn) return isNear(4, address & 0xffffffffn, local);
  const bits = family === 4 ? 32 : 128;
  const inside = (first: bigint, length: number) =>
    address >> BigInt(bits - length) === first >> BigInt(bits - length);
  if (NEVER_PUBLIC[family].some(([text, length]) => inside(referenceParseIp(text).value, length))) {
    return true;
  }
  for (const text of local.ips) {
    const host = referenceParseIp(text);
    if (host.family === family && host.value === address) return true;
    if (
      family === 4 && host.family === 6 && host.value >> 32n === 0xffffn &&
      (host.value & 0xffffffffn) === address
    ) {
      return true;
    }
  }
  return local.lanPrefixes.some((prefix) => {
    const [text, length] = prefix.split("/");
    const first = referenceParseIp(text);
    return first.family === family && inside(first.value, Number(length));
  });
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.reduce((n, b) => n * 256n + BigInt(b), 0n);
}
