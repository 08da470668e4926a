/**
 * The one error type of ffi/: a libc call that failed, with the call's name, errno and the errno text.
 */

/** errno values that callers handle by name (asm-generic/errno-base.h, asm-generic/errno.h). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  ENXIO: 6,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  ENODEV: 19,
  ENETDOWN: 100,
  ENOBUFS: 105,
} as const;

/** What netledger needs to open its capture socket, and the three ways to grant it. */
export const CAP_NET_RAW_HINT =
  "netledger needs CAP_NET_RAW: run as root, or with systemd AmbientCapabilities=CAP_NET_RAW, " +
  "or docker --cap-add NET_RAW --network host";

/** A failed libc call: `call` is the C function's name, `errno` its error number. */
export class SyscallError extends Error {
  constructor(readonly call: string, readonly errno: number, text: string, options?: ErrorOptions) {
    super(`Cannot ${call}: ${text} (errno ${errno})`, options);
    this.name = "SyscallError";
  }

  /** True when the call failed for lack of a privilege (EPERM or EACCES). */
  get isPermissionDenied(): boolean {
    return this.errno === Errno.EPERM || this.errno === Errno.EACCES;
  }
}
