import assert from "node:assert/strict";
import { vendorOf } from "./vendor_of.ts";

Deno.test("vendorOf() names the IEEE registrant of a MAC and nobody for a randomised or group MAC", () => {
  // 3C:22:FB is an MA-L of Apple; 00:1B:63 too; 00:00:00 is Xerox's, the registry's first entry.
  assert.equal(vendorOf("3c:22:fb:00:00:07"), "Apple, Inc.");
  assert.equal(vendorOf("00:00:00:12:34:56"), "XEROX CORPORATION");
  // The same OUI with the locally administered bit set (3e:…), or the group bit (3d:…): no maker.
  assert.equal(vendorOf("3e:22:fb:00:00:07"), null);
  assert.equal(vendorOf("3d:22:fb:00:00:07"), null);
  assert.equal(vendorOf("02:00:00:00:00:01"), null);
  assert.equal(vendorOf("not a mac"), null);
});

Deno.test("vendorOf() prefers the longest assignment (MA-S inside an MA-L block of the IEEE)", () => {
  // 70:B3:D5 is the IEEE's own MA-L, split into MA-S (36-bit) blocks for small makers.
  assert.equal(vendorOf("70:b3:d5:00:10:00"), "SOREDI touch systems GmbH");
  assert.equal(vendorOf("70:b3:d5:00:00:00"), "IEEE Registration Authority");
});

Deno.test("vendorOf() gives every assignment of the generator's input, longest prefix first", async () => {
  // The table's input (packaging/oui/build_oui_table.ts): a slow reference lookup over the full registry.
  const { default: registry } = await import("oui-data", { with: { type: "json" } });
  const assignments = registry as Readonly<Record<string, string>>;
  const reference = (hex: string) => {
    if ((parseInt(hex.slice(0, 2), 16) & 0x03) !== 0) return null;
    for (const digits of [9, 7, 6]) {
      const entry = assignments[hex.slice(0, digits)];
      if (entry !== undefined) return entry.split("\n")[0].trim() || null;
    }
    return null;
  };
  const mismatches = Object.keys(assignments).flatMap((key) => {
    const hex = key.padEnd(12, "0");
    const mac = hex.match(/../g)!.join(":").toLowerCase();
    return vendorOf(mac) === reference(hex) ? [] : [`${mac}: ${vendorOf(mac)} vs ${reference(hex)}`];
  });
  assert.deepEqual(mismatches.slice(0, 5), []);
});
