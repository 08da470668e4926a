import assert from "node:assert/strict";
import { offloadsStillOn } from "./offloads.ts";

const SHOWN = `Features for nlcap0:
rx-checksumming: on
tcp-segmentation-offload: on
\ttx-tcp-segmentation: on
generic-segmentation-offload: off
generic-receive-offload: off
large-receive-offload: off [fixed]
`;

Deno.test("offloadsStillOn() lists the features ethtool -k shows as on", () => {
  assert.deepEqual(offloadsStillOn(SHOWN), ["tso"]);
});

Deno.test("offloadsStillOn() treats on [fixed] as still on", () => {
  assert.deepEqual(offloadsStillOn("generic-receive-offload: on [fixed]\n"), ["gro"]);
});

Deno.test("offloadsStillOn() reports nothing when all are off", () => {
  assert.deepEqual(
    offloadsStillOn(SHOWN.replace("tcp-segmentation-offload: on", "tcp-segmentation-offload: off")),
    [],
  );
});
