/**
 * The LAN's name files as netledger last read them well: DHCP lease files (DHCP_LEASES), /etc/ethers and
 * /etc/hosts. `refresh()` re-reads a file only when its modification time or size changed; a file that is
 * missing, unreadable, too large or caught half-written is logged once and its last good copy stays in use
 * until a good read replaces it. Names are applied when devices are read (never stored), so they follow the
 * files. Reads are asynchronous and off the counting path, which runs in the capture Worker.
 */
import type { FileName, ParsedNameFile } from "./file_name.ts";
import { parseDnsmasqLeases, parseIscLeases } from "./parse_leases.ts";
import { parseEthers, parseHosts } from "./parse_host_files.ts";

/** Where a name read from a file comes from, as /api/devices' `name_source` says it. */
export type FileNameSource = "dhcp" | "ethers" | "hosts";

/** A device's name from the files, and its source. */
export interface FileNameOf {
  readonly name: string;
  readonly source: FileNameSource;
}

/** What names a device: its MAC (null on links without MACs) and its addresses, most recent first. */
export interface NamedDevice {
  readonly mac: string | null;
  readonly ips: readonly string[];
}

/** Options of NameFiles; each path is read as the process's user. */
export interface NameFilesOptions {
  /** DHCP_LEASES: dnsmasq or ISC dhcpd lease files, told apart by their text. */
  readonly leasePaths: readonly string[];
  /** Normally /etc/ethers; null reads none. */
  readonly ethersPath: string | null;
  /** Normally /etc/hosts; null reads none. */
  readonly hostsPath: string | null;
  readonly log: (line: string) => void;
}

/** Largest name file read: a busy ISC dhcpd.leases between its hourly rewrites stays far below. */
export const MAX_NAME_FILE_BYTES = 16 * 1024 * 1024;

interface WatchedFile {
  readonly path: string;
  readonly source: FileNameSource;
  readonly parse: (text: string) => ParsedNameFile;
  /** "mtime size" of the last read, good or not; null before the first. */
  stamp: string | null;
  /** The last good copy's names; null before the first good read. */
  names: readonly FileName[] | null;
  /** The problem last logged, so each one is logged once; null while the file reads well. */
  problem: string | null;
}

/** The files' last good copies and the names they give devices: DHCP leases, then ethers, then hosts. */
export class NameFiles {
  readonly #files: WatchedFile[];
  readonly #log: (line: string) => void;
  #byMac = new Map<string, FileNameOf>();
  #leaseByIp = new Map<string, FileNameOf>();
  #hostsByIp = new Map<string, FileNameOf>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #isRefreshing = false;

  constructor(options: NameFilesOptions) {
    const watched = (path: string, source: FileNameSource, parse: WatchedFile["parse"]): WatchedFile => ({
      path,
      source,
      parse,
      stamp: null,
      names: null,
      problem: null,
    });
    this.#files = [
      ...options.leasePaths.map((p) => watched(p, "dhcp", parseLeases)),
      ...(options.ethersPath === null ? [] : [watched(options.ethersPath, "ethers", parseEthers)]),
      ...(options.hostsPath === null ? [] : [watched(options.hostsPath, "hosts", parseHosts)]),
    ];
    this.#log = options.log;
  }

  /** Re-reads every file whose modification time or size changed since the last read. Never throws. */
  async refresh(): Promise<void> {
    let isChanged = false;
    for (const file of this.#files) {
      if (await this.#read(file)) isChanged = true;
    }
    if (isChanged) this.#index();
  }

  /** Calls refresh() every `intervalMs` (at most one at a time) until close(). Call once. */
  start(intervalMs: number): void {
    this.#timer = setInterval(async () => {
      if (this.#isRefreshing) return;
      this.#isRefreshing = true;
      try {
        await this.refresh();
      } finally {
        this.#isRefreshing = false;
      }
    }, intervalMs);
  }

  /** Stops the polling of start(); idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The name the files give `device`, or null: a lease of its MAC, else (without a MAC) a lease holding one
   * of its addresses, else its /etc/ethers line, else the /etc/hosts name of its most recent address.
   */
  nameOf(device: NamedDevice): FileNameOf | null {
    const byMac = device.mac === null ? undefined : this.#byMac.get(device.mac);
    const firstOf = (byIp: Map<string, FileNameOf>) =>
      device.ips.map((ip) => byIp.get(ip)).find((n) => n !== undefined);
    // A device with a MAC is named by its own leases only: its address may have been another's lease.
    const lease = byMac?.source === "dhcp"
      ? byMac
      : device.mac === null
      ? firstOf(this.#leaseByIp)
      : undefined;
    return lease ?? byMac ?? firstOf(this.#hostsByIp) ?? null;
  }

  /** Reads `file` when it changed; true when its names changed. */
  async #read(file: WatchedFile): Promise<boolean> {
    let stamp: string;
    let text: string;
    try {
      const info = await Deno.stat(file.path);
      stamp = `${info.mtime?.getTime() ?? 0} ${info.size}`;
      if (stamp === file.stamp) return false;
      if (!info.isFile || info.size > MAX_NAME_FILE_BYTES) {
        this.#problem(file, `not a file of at most ${MAX_NAME_FILE_BYTES} bytes`);
        file.stamp = stamp;
        return false;
      }
      text = await Deno.readTextFile(file.path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) && !(e instanceof Deno.errors.PermissionDenied)) {
        this.#problem(file, (e as Error).message);
        return false;
      }
      this.#problem(file, e instanceof Deno.errors.NotFound ? "it does not exist" : "permission denied");
      file.stamp = null;
      return false;
    }
    file.stamp = stamp;
    const parsed = file.parse(text);
    if (!parsed.isComplete) {
      this.#problem(file, "it ends inside a record (being rewritten?)");
      return false;
    }
    if (file.problem !== null) this.#log(`Reading names from "${file.path}" again`);
    file.problem = null;
    file.names = parsed.names;
    return true;
  }

  #problem(file: WatchedFile, problem: string): void {
    if (file.problem === problem) return;
    file.problem = problem;
    // Without /etc/ethers there is nothing to say: most systems have none.
    if (file.source === "ethers" && problem === "it does not exist") return;
    const kept = file.names === null ? "" : "; keeping the names last read from it";
    this.#log(`Cannot read names from "${file.path}": ${problem}${kept}`);
  }

  /** Rebuilds the lookups: a later record of a file beats an earlier one, an earlier file a later one. */
  #index(): void {
    const byMac = new Map<string, FileNameOf>();
    const leaseByIp = new Map<string, FileNameOf>();
    const hostsByIp = new Map<string, FileNameOf>();
    // Files are listed leases first, then ethers, then hosts: in reverse, the higher source is set last.
    for (const file of [...this.#files].reverse()) {
      const byIp = file.source === "hosts" ? hostsByIp : leaseByIp;
      for (const n of file.names ?? []) {
        const named = { name: n.name, source: file.source };
        if (n.mac !== null) byMac.set(n.mac, named);
        if (n.ip !== null && n.holdsIp) byIp.set(n.ip, named);
      }
    }
    this.#byMac = byMac;
    this.#leaseByIp = leaseByIp;
    this.#hostsByIp = hostsByIp;
  }
}

/** A lease file of either server: ISC dhcpd's is made of `{ … }` blocks, dnsmasq's of plain lines. */
function parseLeases(text: string): ParsedNameFile {
  return /[{}]/.test(text) ? parseIscLeases(text) : parseDnsmasqLeases(text);
}
