import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { StoreError } from "../../store/mod.ts";
import { errorResponse } from "./error_response.ts";
import { BadParamError } from "./params.ts";

/** An app whose one route throws `error`, with the policy under test as its onError. */
function throwing(error: Error): Hono {
  return new Hono().get("/api/x", () => {
    throw error;
  }).onError(errorResponse);
}

Deno.test('errorResponse() maps each error class to its status, always as {"error"}', async () => {
  const table: [string, Error, number, RegExp, string | null][] = [
    [
      "bad parameter",
      new BadParamError("limit", "0", "a whole number"),
      400,
      /^Invalid parameter "limit"/,
      null,
    ],
    ["database locked", new StoreError("locked", "Cannot read: locked"), 503, /^Cannot read: locked$/, null],
    [
      "every reader busy",
      new StoreError("busy", "Cannot read: every reader is busy", { retryAfterSec: 1.2 }),
      503,
      /busy/,
      "2",
    ],
    ["hono middleware", new HTTPException(413, { message: "Body too large" }), 413, /^Body too large$/, null],
  ];
  for (const [name, error, status, message, retryAfter] of table) {
    const response = await throwing(error).request("/api/x");
    assert.equal(response.status, status, name);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/, name);
    assert.equal(response.headers.get("retry-after"), retryAfter, name);
    const body = await response.json();
    assert.deepEqual(Object.keys(body), ["error"], name);
    assert.match(body.error, message, name);
  }
});

Deno.test("errorResponse() logs anything else once and answers 500 without its details", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const response = await throwing(new TypeError("secret internals")).request("/api/x");
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { error: "Internal error; see the server log" });
  } finally {
    console.error = original;
  }
  assert.equal(logged.length, 1);
  assert.match(String(logged[0][0]), /GET \/api\/x/);
  assert.match(String(logged[0][1]), /secret internals/);
});
