/**
 * readNeighbours() against the kernel (root): in a fresh namespace with neighbour entries made by `ip neigh`
 * (IPv4 and IPv6, permanent and stale, and a no-ARP entry that holds no learnt MAC), the RTM_GETNEIGH dump
 * through the FFI returns exactly the usable entries, as `ip -j neigh show` lists them. The dump runs in the
 * namespace by running this file as a script there (`deno run -A devices_neighbours_test.ts`).
 */
import assert from "node:assert/strict";
import { readNeighbours } from "../capture/mod.ts";
import { CAPTURE_IFACE, createVethPair, runInNetns } from "./helpers/netns.ts";

const IS_ROOT = Deno.uid() === 0;

Deno.test({
  name: "readNeighbours() returns the kernel's usable neighbour entries, IPv4 and IPv6",
  ignore: !IS_ROOT,
  async fn() {
    await using pair = await createVethPair();
    const neigh = (args: string[]) =>
      runInNetns(pair.captureNs, ["ip", "neigh", "add", ...args, "dev", CAPTURE_IFACE]);
    await neigh(["192.0.2.9", "lladdr", "3c:22:fb:00:00:09", "nud", "permanent"]);
    await neigh(["192.0.2.10", "lladdr", "02:00:00:00:00:0a", "nud", "stale"]);
    await neigh(["2001:db8:1:1::10", "lladdr", "3c:22:fb:00:00:10", "nud", "reachable"]);
    await neigh(["192.0.2.11", "lladdr", "3c:22:fb:00:00:11", "nud", "noarp"]);
    const listed = JSON.parse(await runInNetns(pair.captureNs, ["ip", "-j", "neigh", "show"])) as {
      dst: string;
      lladdr?: string;
      state: string[];
    }[];
    const expected = listed
      .filter((n) =>
        n.lladdr !== undefined && !n.state.some((s) => ["INCOMPLETE", "FAILED", "NOARP"].includes(s))
      )
      .map((n) => [n.dst, n.lladdr!]).sort();
    const ifindex = Number(
      (await runInNetns(pair.captureNs, ["cat", `/sys/class/net/${CAPTURE_IFACE}/ifindex`])).trim(),
    );
    const read = JSON.parse(
      await runInNetns(pair.captureNs, [Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname]),
    ) as { ip: string; mac: string; ifindex: number }[];
    assert.deepEqual(read.map((n) => [n.ip, n.mac]).sort(), expected);
    assert.deepEqual(
      expected.filter(([ip]) => ["192.0.2.9", "192.0.2.10", "2001:db8:1:1::10"].includes(ip)),
      [["192.0.2.10", "02:00:00:00:00:0a"], ["192.0.2.9", "3c:22:fb:00:00:09"], [
        "2001:db8:1:1::10",
        "3c:22:fb:00:00:10",
      ]].sort(),
      "the entries made above are listed",
    );
    assert.ok(!read.some((n) => n.ip === "192.0.2.11"), "a no-ARP entry is skipped");
    assert.ok(read.every((n) => n.ifindex === ifindex));
  },
});

if (import.meta.main) console.log(JSON.stringify(readNeighbours()));
