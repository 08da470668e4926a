/**
 * The string of a byte range, one character per byte (U+0000..U+00FF), for the short names the parsers read.
 * `String.fromCharCode` over the bytes is a V8 builtin; a "latin1" TextDecoder goes through a Deno op per call,
 * which costs several times more for strings this short.
 */
export function byteString(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}
