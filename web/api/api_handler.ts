/**
 * The one error policy of the JSON API routes: every answer is `no-store`, a BadParamError is a 400 and a
 * StoreError (locked, full, corrupt database) a 503, both as `{"error": "..."}`; anything else is a bug and
 * reaches the app's onError.
 */
import type { Context } from "hono";
import { StoreError } from "../../store/mod.ts";
import type { ErrorJson } from "../api_types.ts";
import { BadParamError } from "./params.ts";

/** A route handler. */
export type Handler = (c: Context) => Response | Promise<Response>;

/** Wraps `handler` with the policy above. */
export function api(handler: Handler): Handler {
  return async (c) => {
    c.header("Cache-Control", "no-store");
    try {
      return await handler(c);
    } catch (e) {
      if (e instanceof BadParamError) return c.json<ErrorJson>({ error: e.message }, 400);
      if (e instanceof StoreError) return c.json<ErrorJson>({ error: e.message }, 503);
      throw e;
    }
  };
}
