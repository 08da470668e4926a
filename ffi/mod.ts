/**
 * ffi/: netledger's only door to native code. A typed, checked binding of libc (sockets, mmap, poll) and the
 * AF_PACKET and rtnetlink constants and struct layouts. Every failing call throws SyscallError naming the call and errno.
 *
 * Import rule: ffi/ imports nothing else from netledger; only ffi/ may call Deno.dlopen, Deno.UnsafePointer or
 * Deno.UnsafePointerView. capture/ is its only importer.
 */
export * from "./libc.ts";
export * from "./linux_netlink.ts";
export * from "./linux_packet.ts";
export * from "./syscall_error.ts";
