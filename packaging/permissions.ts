/**
 * The one list of Deno permissions netledger runs with. `deno task compile` bakes these flags into the
 * executable, and tests/permissions_test.ts runs main.ts from source with exactly the same flags, so the test
 * proves what the binary may touch. Only what a part really uses is granted:
 * - `--allow-ffi`: libc through Deno.dlopen("libc.so.6") (AF_PACKET ring). Deno resolves a scoped
 *   `--allow-ffi=libc.so.6` against the working directory, so it cannot be scoped to a soname; FFI can do
 *   anything the process can, so the real fence is the systemd sandbox in packaging/netledger.service.
 * - `--allow-net`: the listener (BIND:WEB_PORT) and the Clash API (CLASH_API_URL) are only known at run
 *   time, and a compiled executable cannot widen its permissions later, so network access is not scoped.
 * - `--allow-read`/`--allow-write`: the data directories only, plus the Worker modules (Deno checks read
 *   access when a Worker loads its script, even one inside the module graph). The live capture's sysfs and
 *   procfs reads (/sys/class/net/IFACE/{type,flags}, /proc/net/{route,ipv6_route}) go through libc
 *   (ffi readProcFile): Deno grants /proc and /sys only to --allow-all, whatever --allow-read says.
 * - `--allow-read` also: the files that name devices (/etc/ethers, /etc/hosts and the usual DHCP lease files,
 *   NAME_FILE_PATHS), read only, whether they exist or not.
 * - `--allow-env`: the variables of config.ts, by name. `--allow-sys=networkInterfaces,hostname`: host
 *   addresses and the machine's name.
 *   `--allow-run=ethtool`: DISABLE_OFFLOADS only. `--no-prompt`: a missing permission fails, never asks.
 */
import { ENV_NAMES, HOST_NAME_FILES, KNOWN_LEASE_FILES } from "../config.ts";

/** Data directory of the appliance: systemd StateDirectory=netledger and the Docker volume. */
export const APPLIANCE_DATA_DIR = "/var/lib/netledger";

/**
 * The default DB_PATH directory of a by-hand run (./data/netledger.db). Kept relative on purpose: Deno resolves
 * permission paths against the working directory when the program starts.
 */
export const HAND_RUN_DATA_DIR = "./data";

/**
 * Deno.* system APIs used: Deno.networkInterfaces for the monitored interface's addresses, Deno.hostname for
 * the Host names answered by default (ALLOWED_HOSTS).
 */
export const SYS_APIS: readonly string[] = ["networkInterfaces", "hostname"];

/** Programs netledger may start: ethtool, for DISABLE_OFFLOADS=true. */
export const RUN_PROGRAMS: readonly string[] = ["ethtool"];

/** Files read for device names: /etc/ethers, /etc/hosts and the lease files DHCP_LEASES may name. */
export const NAME_FILE_PATHS: readonly string[] = [
  HOST_NAME_FILES.ethersPath,
  HOST_NAME_FILES.hostsPath,
  ...KNOWN_LEASE_FILES,
];

/** Name of the compiled executable; its embedded module graph is mounted at $TMPDIR/deno-compile-<name>. */
export const EXECUTABLE_NAME = "netledger";

/** What varies between the compiled executable and a run from source. */
export interface PermissionScope {
  /** Directories read and written: the database, its -wal/-shm files and backup temp files. */
  readonly dataDirs: readonly string[];
  /** Where Worker scripts and their imports are read from (module files, or the executable's embedded root). */
  readonly moduleReadPaths: readonly string[];
}

/** The scope baked into the executable: appliance and by-hand data dirs, the embedded module root. */
export function compiledScope(
  dataDirs: readonly string[] = [APPLIANCE_DATA_DIR, HAND_RUN_DATA_DIR],
): PermissionScope {
  return { dataDirs, moduleReadPaths: [`/tmp/deno-compile-${EXECUTABLE_NAME}`] };
}

/** The `deno run`/`deno compile` permission flags for `scope`, in a stable order. */
export function permissionFlags(scope: PermissionScope): string[] {
  const list = (paths: readonly string[]) => {
    for (const path of paths) {
      if (path.includes(",")) {
        throw new RangeError(`Permission path "${path}" contains a comma, which Deno cannot scope`);
      }
    }
    return paths.join(",");
  };
  return [
    "--allow-ffi",
    "--allow-net",
    `--allow-read=${list([...scope.dataDirs, ...scope.moduleReadPaths, ...NAME_FILE_PATHS])}`,
    `--allow-write=${list(scope.dataDirs)}`,
    `--allow-env=${ENV_NAMES.join(",")}`,
    `--allow-sys=${SYS_APIS.join(",")}`,
    `--allow-run=${RUN_PROGRAMS.join(",")}`,
    "--no-prompt",
  ];
}
