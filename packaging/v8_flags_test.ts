import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { compileArgs } from "./compile.ts";
import { v8FlagsArg } from "./v8_flags.ts";

Deno.test("the start task and the compiled executable run with the same V8 heap flags", async () => {
  assert.ok(denoJson.tasks.start.command.split(" ").includes(v8FlagsArg()), denoJson.tasks.start.command);
  const args = await compileArgs({ output: "dist/netledger", target: null, dataDirs: null });
  assert.ok(args.includes(v8FlagsArg()), args.join(" "));
});
