import assert from "node:assert/strict";
import { join } from "node:path";
import { NameFiles } from "./name_files.ts";

const PHONE = { mac: "3c:22:fb:00:00:07", ips: ["2001:db8::7", "192.0.2.7"] };
const TV = { mac: "00:1b:63:00:00:09", ips: ["192.0.2.9"] };
/** A device on a link without MACs (ppp, tun): only its address can name it. */
const TUNNEL_PEER = { mac: null, ips: ["192.0.2.40"] };

/** Writes `text` to `path` with modification time `second`, so each rewrite is a change whatever its size. */
async function write(path: string, text: string, second: number): Promise<void> {
  await Deno.writeTextFile(path, text);
  await Deno.utime(path, second, second);
}

async function withFiles(
  run: (
    paths: { leases: string; ethers: string; hosts: string },
    files: NameFiles,
    logged: string[],
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "netledger-names-" });
  const paths = { leases: join(dir, "dhcp.leases"), ethers: join(dir, "ethers"), hosts: join(dir, "hosts") };
  const logged: string[] = [];
  const files = new NameFiles({
    leasePaths: [paths.leases],
    ethersPath: paths.ethers,
    hostsPath: paths.hosts,
    log: (line) => logged.push(line),
  });
  try {
    await run(paths, files, logged);
  } finally {
    files.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("NameFiles.nameOf() takes DHCP leases over /etc/ethers over /etc/hosts", async () => {
  await withFiles(async (paths, files) => {
    await write(paths.hosts, "192.0.2.7 phone-in-hosts\n192.0.2.9 tv-in-hosts\n192.0.2.40 peer\n", 1_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "phone-in-hosts", source: "hosts" });
    assert.deepEqual(files.nameOf(TUNNEL_PEER), { name: "peer", source: "hosts" });
    await write(paths.ethers, "3c:22:fb:00:00:07 phone-in-ethers\n00:1b:63:00:00:09 tv-in-ethers\n", 1_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "phone-in-ethers", source: "ethers" });
    await write(
      paths.leases,
      "1764885600 3c:22:fb:00:00:07 192.0.2.7 anna-phone *\n1764885600 02:00:00:00:00:40 192.0.2.40 vpn-peer *\n",
      1_000,
    );
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "anna-phone", source: "dhcp" });
    assert.deepEqual(files.nameOf(TV), { name: "tv-in-ethers", source: "ethers" });
    // Without a MAC the lease of its address names it; with one, another MAC's lease of its address does not.
    assert.deepEqual(files.nameOf(TUNNEL_PEER), { name: "vpn-peer", source: "dhcp" });
    assert.deepEqual(files.nameOf({ mac: "00:1b:63:00:00:41", ips: ["192.0.2.40"] }), {
      name: "peer",
      source: "hosts",
    });
    assert.equal(files.nameOf({ mac: "00:1b:63:00:00:42", ips: ["192.0.2.42"] }), null);
  });
});

Deno.test("NameFiles.refresh() follows a lease file that appears, changes, breaks and goes", async () => {
  await withFiles(async (paths, files, logged) => {
    await files.refresh();
    assert.equal(files.nameOf(PHONE), null);
    assert.equal(logged.length, 2, "the missing lease file and /etc/hosts, not /etc/ethers");
    await files.refresh();
    assert.equal(logged.length, 2, "each problem is logged once");

    await write(paths.leases, "1764885600 3c:22:fb:00:00:07 192.0.2.7 anna-phone *\n", 1_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "anna-phone", source: "dhcp" });
    assert.match(logged[2], /Reading names from ".*dhcp.leases" again/);

    await write(paths.leases, "1764885600 3c:22:fb:00:00:07 192.0.2.7 annas-phone *\n", 2_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "annas-phone", source: "dhcp" });

    // dnsmasq caught rewriting the file: the last good copy stays.
    await write(paths.leases, "1764885600 3c:22:fb:00:00:07 192.0.2.7 half-wri", 3_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "annas-phone", source: "dhcp" });
    assert.match(logged.at(-1)!, /Cannot read names from ".*dhcp.leases": it ends inside a record/);

    await write(paths.leases, "1764885600 3c:22:fb:00:00:07 192.0.2.7 phone-v3 *\n", 4_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "phone-v3", source: "dhcp" });

    // Gone (dnsmasq restarting): logged once, its last good copy stays until it is back.
    const before = logged.length;
    await Deno.remove(paths.leases);
    await files.refresh();
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "phone-v3", source: "dhcp" });
    assert.equal(logged.length, before + 1);
    assert.match(logged.at(-1)!, /dhcp.leases": it does not exist; keeping the names last read from it/);
    await write(paths.leases, "1764885600 3c:22:fb:00:00:07 192.0.2.7 phone-v4 *\n", 4_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(PHONE), { name: "phone-v4", source: "dhcp" });
  });
});

Deno.test("NameFiles.refresh() keeps the last good copy of an unreadable file", async () => {
  // root reads a file whatever its mode: a directory in its place stands for a file that cannot be read.
  await withFiles(async (paths, files, logged) => {
    await write(paths.hosts, "192.0.2.9 tv\n", 1_000);
    await files.refresh();
    assert.deepEqual(files.nameOf(TV), { name: "tv", source: "hosts" });
    await Deno.remove(paths.hosts);
    await Deno.mkdir(paths.hosts);
    await files.refresh();
    assert.deepEqual(files.nameOf(TV), { name: "tv", source: "hosts" });
    assert.match(logged.at(-1)!, /hosts": not a file of at most 16777216 bytes/);
  });
});
