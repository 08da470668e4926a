import assert from "node:assert/strict";
import { ringBlockBytes } from "./ring.ts";

Deno.test("ringBlockBytes() makes blocks of an eighth of the ring, from 64 KiB to 4 MiB", () => {
  const KIB = 1024;
  const MIB = 1024 * KIB;
  assert.equal(ringBlockBytes(256 * KIB), 64 * KIB); // the smallest block, even for a tiny ring
  assert.equal(ringBlockBytes(1 * MIB), 128 * KIB);
  assert.equal(ringBlockBytes(3 * MIB), 256 * KIB); // a power of two: 3 MiB / 8 rounds down
  assert.equal(ringBlockBytes(32 * MIB), 4 * MIB); // RING_MB's default: 8 blocks
  assert.equal(ringBlockBytes(1024 * MIB), 4 * MIB); // the largest block; more blocks instead
});
