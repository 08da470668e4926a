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
