/**
 * The body `{"name": "..."}` of PUT …/name, shared by a proxy client's name (/api/monitoring/clients/:ip/name)
 * and a device's (/api/devices/:id/name): one size cap and one check, so both names obey the same rules.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { MAX_CLIENT_NAME_CHARS } from "../../store/mod.ts";
import { BadParamError } from "./params.ts";

/** Largest body of PUT …/name: a name is at most 64 characters, so anything near this is not one. */
const MAX_NAME_BODY_BYTES = 4096;
/** C0 controls, DEL and C1 controls: SQLite would cut a name at NUL, a log or a header could be split. */
const CONTROL_CHAR_REGEXP = /\p{Cc}/u;

/** Refuses a PUT …/name body over MAX_NAME_BODY_BYTES with 413, before it is read whole. */
export function nameBodyLimit(): MiddlewareHandler {
  return bodyLimit({
    maxSize: MAX_NAME_BODY_BYTES,
    onError: () => {
      throw new HTTPException(413, {
        message: `Body too large: at most ${MAX_NAME_BODY_BYTES} bytes of JSON {"name": "..."}`,
      });
    },
  });
}

/**
 * The body `{"name": "..."}` of PUT …/name: a trimmed name, or null (absent, null or blank). A name with a
 * control character is refused whole, never cut.
 */
export function parseNameBody(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new BadParamError("body", body.slice(0, 40), 'JSON {"name": "..."}');
  }
  const name = (parsed as { name?: unknown } | null)?.name;
  if (name === null || name === undefined) return null;
  if (
    typeof name !== "string" || name.trim().length > MAX_CLIENT_NAME_CHARS || CONTROL_CHAR_REGEXP.test(name)
  ) {
    throw new BadParamError(
      "name",
      String(name),
      `a text of at most ${MAX_CLIENT_NAME_CHARS} characters without control characters, or null`,
    );
  }
  return name.trim() === "" ? null : name.trim();
}
