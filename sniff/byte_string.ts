/**
 * The string of a byte range, one character per byte (U+0000..U+00FF), for the short names the parsers read.
 * `String.fromCharCode` over the bytes is a V8 builtin; a "latin1" TextDecoder goes through a Deno op per call,
 * which costs several times more for strings this short. The bytes go through a plain array: applied to a
 * typed array, the builtin first copies it element by element, about three times slower.
 */
const charCodes: number[] = [];

export function byteString(bytes: Uint8Array, start: number, end: number): string {
  charCodes.length = end - start;
  for (let i = start; i < end; i++) charCodes[i - start] = bytes[i];
  return String.fromCharCode.apply(null, charCodes);
}

/** Slots of the table of recent name strings (a power of two): a busy home's names fit with few collisions. */
const NAME_SLOTS = 4096;
const nameStrings: string[] = new Array(NAME_SLOTS).fill("");

/**
 * byteString() for a name that recurs (a DNS name, an SNI, a Host): the string made last for the same bytes
 * when it is still held, else a new one, held in its place. Names repeat from packet to packet, and handing
 * on one string per name spares building it again, and lets the Maps that key on it find it by the hash the
 * string keeps (tests/bench/parse_bench.ts, names on vs off). Not for bytes that never recur (a QUIC DCID):
 * they would push the names out.
 */
export function nameString(bytes: Uint8Array, start: number, end: number): string {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (NAME_SLOTS - 1);
  const held = nameStrings[slot];
  if (held.length === end - start) {
    let i = 0;
    while (i < held.length && held.charCodeAt(i) === bytes[start + i]) i++;
    if (i === held.length) return held;
  }
  return nameStrings[slot] = byteString(bytes, start, end);
}
