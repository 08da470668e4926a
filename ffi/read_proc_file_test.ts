import assert from "node:assert/strict";
import { readProcFile } from "./libc.ts";

Deno.test({
  name:
    "readProcFile() reads procfs and sysfs with --allow-ffi alone, where Deno.readTextFileSync is refused",
  permissions: { ffi: true, read: false },
  fn() {
    assert.throws(() => Deno.readTextFileSync("/proc/net/route"), Deno.errors.NotCapable);
    assert.match(readProcFile("/proc/net/route"), /^Iface\tDestination\tGateway/);
    assert.equal(readProcFile("/sys/class/net/lo/type").trim(), "772");
  },
});

Deno.test({
  name: "readProcFile() throws Deno.errors.NotFound for a missing file, like Deno.readTextFileSync",
  permissions: { ffi: true },
  fn() {
    assert.throws(() => readProcFile("/sys/class/net/nl-missing0/type"), Deno.errors.NotFound);
  },
});
