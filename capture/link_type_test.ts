import assert from "node:assert/strict";
import { linkTypeName } from "./link_type.ts";

Deno.test("linkTypeName() names known and unknown link types", () => {
  assert.equal(linkTypeName(1), "ETHERNET");
  assert.equal(linkTypeName(276), "LINUX_SLL2");
  assert.equal(linkTypeName(147), "linktype 147");
});
