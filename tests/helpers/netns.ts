/**
 * Two network namespaces joined by a veth pair, for tests and benchmarks that capture real traffic as root.
 * Namespace names are unique per process, call and test isolate (`nl<pid>x<n><random>c` / `…p`), addresses
 * come only from documentation ranges, and `[Symbol.asyncDispose]` (or remove()) deletes both namespaces,
 * which deletes the veth pair. A process killed before it disposed (SIGKILL, a `timeout`) cannot clean up:
 * the next createVethPair() deletes the pairs whose creating process is gone.
 *
 *     await using pair = await createVethPair();
 *     await runInNetns(pair.captureNs, ["ip", "link", "show"]);
 */

/** IPv4 address of the capture end (the "host" netledger watches). */
export const CAPTURE_IPV4 = "192.0.2.1";
/** IPv4 address of the peer end (the peer namespace has IPv6 turned off). */
export const PEER_IPV4 = "192.0.2.2";
/** IPv6 address of the capture end. */
export const CAPTURE_IPV6 = "2001:db8:1:1::1";
/** MAC address of the capture end (locally administered). */
export const CAPTURE_MAC = "02:00:00:00:00:01";
/** MAC address of the peer end (locally administered). */
export const PEER_MAC = "02:00:00:00:00:02";
/** The veth name in the capture namespace (namespaces keep names apart, so they need not be unique). */
export const CAPTURE_IFACE = "nlcap0";
/** The veth name in the peer namespace. */
export const PEER_IFACE = "nlpeer0";

/** Two namespaces and the veth pair between them; disposing deletes everything. */
export interface VethPair extends AsyncDisposable {
  readonly captureNs: string;
  readonly peerNs: string;
  readonly captureIface: string;
  readonly peerIface: string;
  /** Deletes both namespaces (and so the veth pair); idempotent. */
  remove(): Promise<void>;
}

let pairCount = 0;

/** A pair's namespace name: `nl`, the creating PID, `x`, the call number and six hex digits, `c` or `p`. */
const PAIR_NS = /^nl(\d+)x\d+[0-9a-f]{6}[cp]$/;

/** Runs a command, throwing an Error with its stderr when it exits non-zero; returns its stdout. */
export async function run(args: readonly string[], stdin?: Uint8Array): Promise<string> {
  const child = new Deno.Command(args[0], {
    args: args.slice(1),
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `Command failed (${out.code}): ${args.join(" ")}\n${new TextDecoder().decode(out.stderr)}${text}`,
    );
  }
  return text;
}

/** Runs `args` inside namespace `ns`. */
export function runInNetns(ns: string, args: readonly string[]): Promise<string> {
  return run(["ip", "netns", "exec", ns, ...args]);
}

/** Deletes a namespace if it exists. */
async function deleteNetns(ns: string): Promise<void> {
  // The exit code is ignored: 1 with "No such file" means already gone, which is what we want.
  await new Deno.Command("ip", { args: ["netns", "delete", ns], stdout: "null", stderr: "null" }).output();
}

/**
 * Deletes the namespaces of pairs whose creating process no longer runs (its PID is in the name). A live PID
 * keeps its namespaces, whoever it is now: only a pair whose creator is certainly gone is touched.
 */
export async function removeOrphanedPairs(): Promise<void> {
  for (const line of (await run(["ip", "netns", "list"])).split("\n")) {
    const ns = line.split(" ")[0];
    const pid = PAIR_NS.exec(ns)?.[1];
    if (pid === undefined || isRunning(Number(pid))) continue;
    await deleteNetns(ns);
  }
}

function isRunning(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Creates the veth pair: CAPTURE_IFACE in `captureNs`, PEER_IFACE in `peerNs`, both down and unaddressed. */
function addVeth(captureNs: string, peerNs: string): Promise<string> {
  return run([
    "ip",
    "-n",
    captureNs,
    "link",
    "add",
    CAPTURE_IFACE,
    "address",
    CAPTURE_MAC,
    "type",
    "veth",
    "peer",
    "name",
    PEER_IFACE,
    "address",
    PEER_MAC,
    "netns",
    peerNs,
  ]);
}

/** Gives both veth ends their addresses (CAPTURE_IPV4 and CAPTURE_IPV6, PEER_IPV4). */
async function addVethAddresses(captureNs: string, peerNs: string): Promise<void> {
  await run(["ip", "-n", captureNs, "addr", "add", `${CAPTURE_IPV4}/24`, "dev", CAPTURE_IFACE]);
  await run(["ip", "-n", captureNs, "addr", "add", `${CAPTURE_IPV6}/64`, "dev", CAPTURE_IFACE, "nodad"]);
  await run(["ip", "-n", peerNs, "addr", "add", `${PEER_IPV4}/24`, "dev", PEER_IFACE]);
}

/**
 * Creates the two namespaces, the veth pair (capture end up with CAPTURE_IPV4/CAPTURE_IPV6, peer end up and
 * silent: IPv6 off so it sends nothing on its own), with offloads left at the kernel defaults.
 */
export async function createVethPair(): Promise<VethPair> {
  await removeOrphanedPairs();
  // The PID alone is not unique: `deno test --parallel` runs several test files in one process.
  const tag = `nl${Deno.pid}x${pairCount++}${crypto.randomUUID().slice(0, 6)}`;
  const captureNs = `${tag}c`;
  const peerNs = `${tag}p`;
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await deleteNetns(captureNs);
    await deleteNetns(peerNs);
  };
  try {
    await run(["ip", "netns", "add", captureNs]);
    await run(["ip", "netns", "add", peerNs]);
    await addVeth(captureNs, peerNs);
    const c = (args: string[]) => run(["ip", "netns", "exec", captureNs, ...args]);
    const p = (args: string[]) => run(["ip", "netns", "exec", peerNs, ...args]);
    await p([
      "sysctl",
      "-q",
      "-w",
      "net.ipv6.conf.all.disable_ipv6=1",
      "net.ipv6.conf.default.disable_ipv6=1",
    ]);
    await c([
      "sysctl",
      "-q",
      "-w",
      `net.ipv6.conf.${CAPTURE_IFACE}.accept_ra=0`,
      `net.ipv6.conf.${CAPTURE_IFACE}.router_solicitations=0`,
    ]);
    await addVethAddresses(captureNs, peerNs);
    await c(["ip", "link", "set", "lo", "up"]);
    await p(["ip", "link", "set", "lo", "up"]);
    await c(["ip", "link", "set", CAPTURE_IFACE, "up"]);
    await p(["ip", "link", "set", PEER_IFACE, "up"]);
  } catch (e) {
    await remove();
    throw e;
  }
  return {
    captureNs,
    peerNs,
    captureIface: CAPTURE_IFACE,
    peerIface: PEER_IFACE,
    remove,
    [Symbol.asyncDispose]: remove,
  };
}

/** Deletes the capture end's veth (and so the pair), then creates it again with the same names and addresses. */
export async function recreateVeth(pair: VethPair): Promise<void> {
  await run(["ip", "-n", pair.captureNs, "link", "delete", pair.captureIface]);
  await addVeth(pair.captureNs, pair.peerNs);
  await addVethAddresses(pair.captureNs, pair.peerNs);
  await run(["ip", "-n", pair.captureNs, "link", "set", CAPTURE_IFACE, "up"]);
  await run(["ip", "-n", pair.peerNs, "link", "set", PEER_IFACE, "up"]);
}

/** Sends `signal` to a child this process started (by its handle, so by its PID) and waits for it to end. */
export async function endChild(child: Deno.ChildProcess, signal: Deno.Signal = "SIGKILL"): Promise<void> {
  try {
    child.kill(signal);
  } catch (e) {
    // TypeError: it had already exited, which is the goal.
    if (!(e instanceof TypeError)) throw e;
  }
  await child.status;
}
