/**
 * The one error policy of the HTTP server, installed as `app.onError` (app.ts): a BadParamError is a 400, a
 * StoreError (locked, full or corrupt database, every reader busy) a 503 with `Retry-After` when its wait is
 * known, an HTTPException (hono middleware: body limit, …) its own status, and anything else a bug: logged,
 * then a 500. Every one answers ErrorJson, so routes just throw.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { StoreError } from "../../store/mod.ts";
import type { ErrorJson } from "../api_types.ts";
import { BadParamError } from "./params.ts";

/** The answer to an error thrown by a route or middleware (Hono's ErrorHandler). */
export function errorResponse(e: Error, c: Context): Response {
  if (e instanceof BadParamError) return c.json<ErrorJson>({ error: e.message }, 400);
  if (e instanceof StoreError) {
    if (e.retryAfterSec !== null) c.header("Retry-After", String(Math.ceil(e.retryAfterSec)));
    return c.json<ErrorJson>({ error: e.message }, 503);
  }
  if (e instanceof HTTPException) {
    return c.json<ErrorJson>({ error: e.message || `Request refused (HTTP ${e.status})` }, e.status);
  }
  console.error(`Unhandled error on ${c.req.method} ${c.req.path}:`, e);
  return c.json<ErrorJson>({ error: "Internal error; see the server log" }, 500);
}
