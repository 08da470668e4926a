import assert from "node:assert/strict";
import { isSupportedLinkType, LinkType, linkTypeName } from "./link_type.ts";

Deno.test("isSupportedLinkType() accepts every LinkType and rejects others", () => {
  for (const code of Object.values(LinkType)) assert.equal(isSupportedLinkType(code), true, String(code));
  assert.equal(isSupportedLinkType(147), false);
  assert.equal(isSupportedLinkType(105), false);
});

Deno.test("linkTypeName() names known and unknown link types", () => {
  assert.equal(linkTypeName(1), "ETHERNET");
  assert.equal(linkTypeName(276), "LINUX_SLL2");
  assert.equal(linkTypeName(147), "linktype 147");
});
