import assert from "node:assert/strict";
import { ApiError } from "../../api.ts";
import { planProblem } from "./plans_page_model.ts";

/** A refusal as fetchApi() throws it: the server's {"error"} text and the status. */
const refusal = (status: number, error: string) =>
  new ApiError("/api/plans", status, `${error} (HTTP ${status})`);

const ROWS: readonly { note: string; error: unknown; field: string | null; message: string }[] = [
  {
    note: "a 400 names its field (web/api/params.ts BadParamError)",
    error: refusal(400, 'Invalid parameter "quota": got "0", expected a size above 0 B'),
    field: "quota",
    message: 'Invalid parameter "quota": got "0", expected a size above 0 B',
  },
  {
    note: "the field, not a field word in the value or the explanation",
    error: refusal(
      400,
      'Invalid parameter "period": got "monthly:32", expected monthly:DAY with DAY 1 to 31 (quota)',
    ),
    field: "period",
    message: 'Invalid parameter "period": got "monthly:32", expected monthly:DAY with DAY 1 to 31 (quota)',
  },
  {
    note: "a 400 about no field of the form (the body) marks none",
    error: refusal(400, 'Invalid parameter "body": got "x", expected a JSON object'),
    field: null,
    message: 'Invalid parameter "body": got "x", expected a JSON object',
  },
  {
    note: "a 409 marks no field",
    error: refusal(409, 'Plan "isp" comes from PLAN= and is changed there'),
    field: null,
    message: 'Plan "isp" comes from PLAN= and is changed there',
  },
  {
    note: "an unreachable server marks no field",
    error: new ApiError("/api/plans", 0, 'Cannot reach the server for "/api/plans"'),
    field: null,
    message: 'Cannot reach the server for "/api/plans"',
  },
];

for (const row of ROWS) {
  Deno.test(`planProblem(): ${row.note}`, () => {
    assert.deepEqual(planProblem(row.error), { field: row.field, message: row.message });
  });
}
