import assert from "node:assert/strict";
import { CAP_NET_RAW_HINT, Errno, SyscallError } from "./syscall_error.ts";

Deno.test("SyscallError names the call, the errno text and the errno number", () => {
  const e = new SyscallError("setsockopt(PACKET_RX_RING)", 12, "Cannot allocate memory");
  assert.equal(e.message, "Cannot setsockopt(PACKET_RX_RING): Cannot allocate memory (errno 12)");
  assert.equal(e.name, "SyscallError");
  assert.equal(e.isPermissionDenied, false);
});

Deno.test("SyscallError.isPermissionDenied holds for EPERM and EACCES only", () => {
  assert.equal(new SyscallError("socket", Errno.EPERM, CAP_NET_RAW_HINT).isPermissionDenied, true);
  assert.equal(new SyscallError("socket", Errno.EACCES, CAP_NET_RAW_HINT).isPermissionDenied, true);
  assert.equal(new SyscallError("socket", Errno.ENODEV, "No such device").isPermissionDenied, false);
});
