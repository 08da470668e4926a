/**
 * The single libc symbol table of netledger and its checked wrappers. Wrappers take numbers and Uint8Arrays,
 * read errno right after a failing call (same thread, nothing in between) and throw SyscallError.
 *
 * Buffers passed here whose address outlives the call (the mmap'd ring, a pollfd array reused every poll)
 * must be fields of a long-lived owner, never locals: see docs/development.md "FFI".
 */
import { CAP_NET_RAW_HINT, Errno, SyscallError } from "./syscall_error.ts";

const SYMBOLS = {
  /** int socket(int domain, int type, int protocol); */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen); */
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen); */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); */
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  /** int munmap(void *addr, size_t length); */
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout); (blocking: call it from a Worker only) */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  /** int ioctl(int fd, unsigned long request, void *argp); */
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  /** int eventfd(unsigned int initval, int flags); */
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  /** ssize_t write(int fd, const void *buf, size_t count); */
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** int close(int fd); */
  close: { parameters: ["i32"], result: "i32" },
  /** int open(const char *pathname, int flags); */
  open: { parameters: ["buffer", "i32"], result: "i32" },
  /** ssize_t read(int fd, void *buf, size_t count); */
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** unsigned int if_nametoindex(const char *ifname); */
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  /** ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr,
   *  socklen_t addrlen); */
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  /** int *__errno_location(void); (glibc and musl: the calling thread's errno) */
  __errno_location: { parameters: [], result: "pointer" },
  /** char *strerror(int errnum); */
  strerror: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

let library: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;

function libc(): Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] {
  // Opened on first use so that importing capture/ never needs --allow-ffi (pcap import, tests of the parser).
  library ??= Deno.dlopen("libc.so.6", SYMBOLS);
  return library.symbols;
}

const encoder = new TextEncoder();

/** The calling thread's errno; read it before any other libc call. */
function lastErrno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/** The C library's text for an errno value, e.g. "Operation not permitted". */
export function errnoText(errno: number): string {
  const p = libc().strerror(errno);
  return p === null ? `errno ${errno}` : Deno.UnsafePointerView.getCString(p);
}

function fail(call: string): never {
  const errno = lastErrno();
  throw new SyscallError(call, errno, errnoText(errno));
}

/** Opens a socket and returns its fd; EPERM/EACCES name the missing CAP_NET_RAW and its fixes. */
export function socket(domain: number, type: number, protocol: number): number {
  const fd = libc().socket(domain, type, protocol);
  if (fd >= 0) return fd;
  const errno = lastErrno();
  const text = errnoText(errno);
  if (errno === Errno.EPERM || errno === Errno.EACCES) {
    throw new SyscallError("socket", errno, `${text}: ${CAP_NET_RAW_HINT}`);
  }
  throw new SyscallError("socket", errno, text);
}

/** Binds fd to the address in `sockaddr` (the whole array is passed as the address). */
export function bind(fd: number, sockaddr: Uint8Array): void {
  if (libc().bind(fd, sockaddr, sockaddr.byteLength) !== 0) fail("bind");
}

/** Sets a socket option to the bytes of `value`; `name` labels the error ("setsockopt(PACKET_RX_RING)"). */
export function setsockopt(fd: number, level: number, option: number, value: Uint8Array, name: string): void {
  if (libc().setsockopt(fd, level, option, value, value.byteLength) !== 0) fail(`setsockopt(${name})`);
}

/**
 * Reads a socket option into `value`; `lengthCell` is a 4-byte scratch array for the socklen_t in/out.
 * Returns the length the kernel wrote.
 */
export function getsockopt(
  fd: number,
  level: number,
  option: number,
  value: Uint8Array,
  lengthCell: Uint32Array,
  name: string,
): number {
  lengthCell[0] = value.byteLength;
  const lengthBytes = new Uint8Array(lengthCell.buffer, lengthCell.byteOffset, 4);
  if (libc().getsockopt(fd, level, option, value, lengthBytes) !== 0) fail(`getsockopt(${name})`);
  return lengthCell[0];
}

/** A shared mapping: its address (for munmap) and an ArrayBuffer over the same memory, without a copy. */
export interface SharedMapping {
  readonly address: Deno.PointerObject;
  readonly byteLength: number;
  /** Valid only until munmap: the owner must drop every view of it before unmapping. */
  readonly bytes: ArrayBuffer;
}

/** Maps `byteLength` bytes of fd shared and read-write. */
export function mmapShared(fd: number, byteLength: number): SharedMapping {
  const PROT_READ_WRITE = 0x1 | 0x2; // sys/mman.h PROT_READ | PROT_WRITE
  const MAP_SHARED = 0x1;
  const p = libc().mmap(null, BigInt(byteLength), PROT_READ_WRITE, MAP_SHARED, fd, 0n);
  // MAP_FAILED is (void *)-1.
  if (p === null || Deno.UnsafePointer.value(p) === 0xffff_ffff_ffff_ffffn) fail("mmap");
  return { address: p, byteLength, bytes: Deno.UnsafePointerView.getArrayBuffer(p, byteLength) };
}

/** Unmaps a mapping made by mmapShared; its `bytes` must not be touched afterwards. */
export function munmap(mapping: SharedMapping): void {
  if (libc().munmap(mapping.address, BigInt(mapping.byteLength)) !== 0) fail("munmap");
}

/**
 * Waits up to timeoutMs for events on the pollfd array `fds` (8 bytes per entry: int fd, short events,
 * short revents). Blocks the calling thread: Worker only. Returns the number of ready entries, 0 on timeout
 * or on EINTR.
 */
export function poll(fds: Uint8Array, timeoutMs: number): number {
  const n = libc().poll(fds, BigInt(fds.byteLength / 8), timeoutMs);
  if (n >= 0) return n;
  const errno = lastErrno();
  if (errno === Errno.EINTR) return 0;
  throw new SyscallError("poll", errno, errnoText(errno));
}

/** Opens `path` with open(2) `flags`; returns the fd. */
export function openFile(path: string, flags: number): number {
  const fd = libc().open(encoder.encode(`${path}\0`), flags);
  if (fd < 0) fail(`open(${path})`);
  return fd;
}

/** ioctl(2) with a pointer argument; `name` labels the error ("ioctl(TUNSETIFF)"). */
export function ioctl(fd: number, request: number, argument: Uint8Array, name: string): void {
  if (libc().ioctl(fd, BigInt(request), argument) < 0) fail(name);
}

/** Writes all of `data` to fd in one write(2); throws unless it took every byte. */
export function writeAll(fd: number, data: Uint8Array): void {
  const n = libc().write(fd, data, BigInt(data.byteLength));
  if (n < 0) fail("write");
  if (Number(n) !== data.byteLength) {
    throw new SyscallError("write", 0, `short write of ${n} of ${data.byteLength} bytes`);
  }
}

/** sys/eventfd.h EFD_CLOEXEC | EFD_NONBLOCK. */
const EFD_CLOEXEC_NONBLOCK = 0o2000000 | 0o4000;

/** Opens a non-blocking eventfd (a counter another thread can make readable with signalEventFd). */
export function eventFd(): number {
  const fd = libc().eventfd(0, EFD_CLOEXEC_NONBLOCK);
  if (fd < 0) fail("eventfd");
  return fd;
}

const ONE = new Uint8Array(new BigUint64Array([1n]).buffer);

/** Makes an eventfd readable (adds 1 to its counter); it stays readable until read. */
export function signalEventFd(fd: number): void {
  if (libc().write(fd, ONE, 8n) !== 8n) fail("write(eventfd)");
}

/**
 * Reads what a non-blocking fd has pending into `buffer` (one datagram for a socket); returns the bytes read,
 * 0 when nothing is pending (EAGAIN). Throws SyscallError otherwise: ENOBUFS on a netlink socket means the
 * kernel dropped messages because the socket's buffer was full.
 */
export function readAvailable(fd: number, buffer: Uint8Array): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const n = Number(libc().read(fd, buffer, BigInt(buffer.byteLength)));
    if (n >= 0) return n;
    const errno = lastErrno();
    if (errno === Errno.EAGAIN) return 0;
    if (errno !== Errno.EINTR) throw new SyscallError("read", errno, errnoText(errno));
  }
  return 0;
}

/** Closes fd. */
export function close(fd: number): void {
  if (libc().close(fd) !== 0) fail("close");
}

/** The index of the interface called `name`, or 0 when there is none. */
export function ifNameToIndex(name: string): number {
  return libc().if_nametoindex(encoder.encode(`${name}\0`));
}

/** Sends `data` to the address in `sockaddr`; returns the bytes sent. */
export function sendto(fd: number, data: Uint8Array, sockaddr: Uint8Array): number {
  const n = libc().sendto(fd, data, BigInt(data.byteLength), 0, sockaddr, sockaddr.byteLength);
  if (n < 0) fail("sendto");
  return Number(n);
}

/** The address of `bytes`, to store inside another struct (sock_fprog.filter); keep `bytes` alive with it. */
export function addressOf(bytes: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
}

/** linux/fcntl.h (asm-generic): O_RDONLY | O_CLOEXEC. */
const O_RDONLY_CLOEXEC = 0o2000000;
/** Largest pseudo-file readProcFile accepts; /proc/net/ipv6_route of a full routing table stays far below. */
const MAX_PROC_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Reads a small text file of procfs or sysfs (/proc/net/route, /sys/class/net/IFACE/type) through libc.
 * Deno grants /proc and /sys reads only to --allow-all ("Requires all access"), which the compiled
 * executable must not have; its --allow-ffi already covers these reads (packaging/permissions.ts).
 * Throws Deno.errors.NotFound when the file does not exist (as Deno.readTextFileSync does), else SyscallError.
 */
export function readProcFile(path: string): string {
  const fd = libc().open(encoder.encode(`${path}\0`), O_RDONLY_CLOEXEC);
  if (fd < 0) {
    const errno = lastErrno();
    if (errno === Errno.ENOENT || errno === Errno.ENODEV) {
      throw new Deno.errors.NotFound(`Cannot open "${path}": ${errnoText(errno)}`);
    }
    throw new SyscallError("open", errno, `${errnoText(errno)}: "${path}"`);
  }
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = Number(libc().read(fd, buffer, BigInt(buffer.byteLength)));
      if (n < 0) {
        const errno = lastErrno();
        if (errno === Errno.EINTR) continue;
        throw new SyscallError("read", errno, `${errnoText(errno)}: "${path}"`);
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_PROC_FILE_BYTES) {
        throw new RangeError(`Cannot read "${path}": larger than ${MAX_PROC_FILE_BYTES} bytes`);
      }
      chunks.push(buffer.slice(0, n));
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return new TextDecoder().decode(bytes);
  } finally {
    close(fd);
  }
}
