/**
 * Services with real clients (issue 15 "Show", root): a device namespace behind a bridge in a gateway
 * namespace, routed to a "public" namespace where dnsmasq answers svc.example.com with a documentation-range
 * address and openssl s_server (self-signed) serves TLS on it. curl in the device resolves the name through
 * the namespace's own resolv.conf and fetches https://svc.example.com/. LiveCapture on the bridge must put
 * every byte exchanged with the server's address on example.com, and the DNS exchange (with the resolver's
 * own address, which nothing names) on unknown. A Deno.connectQuic client talks to a Deno.QuicEndpoint echo
 * server with SNI quic.example.org: after its Initial is decrypted, the flow's bytes land on example.org.
 * A host handed over as the Clash core's (LiveCapture.learnHost) names a plain TCP exchange with an address
 * nothing in the packets names: every byte of it lands on example.net.
 */
import assert from "node:assert/strict";
import { startCaptureProbe } from "./helpers/capture_probe.ts";
import { createLanGateway } from "./helpers/lan_gateway.ts";
import { endChild, runInNetns } from "./helpers/netns.ts";

const IS_ROOT = Deno.uid() === 0;
const RESOLVER = "198.51.100.2";
const SERVER = "198.51.100.3";
/** Named only by the QUIC client's Initial (SNI quic.example.org). */
const QUIC_SERVER = "198.51.100.4";
const QUIC_ECHO = new URL("./helpers/quic_echo.ts", import.meta.url).pathname;
/** Named only by the host LiveCapture.learnHost hands over, as the Clash core's metadata.host. */
const PROXIED_SERVER = "198.51.100.5";
const TCP_EXCHANGE = new URL("./helpers/tcp_exchange.ts", import.meta.url).pathname;
const DEVICE_MAC = "3c:22:fb:00:00:21";

Deno.test({
  name:
    "LiveCapture names a curl HTTPS fetch (dnsmasq's answer, the ClientHello), a QUIC flow (its Initial) and a plain exchange (the Clash core's host): each lands on its service",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using net = await createLanGateway({
      lan: "192.168.60",
      deviceMac: DEVICE_MAC,
      publicIps: [RESOLVER, SERVER, QUIC_SERVER, PROXIED_SERVER],
    });
    const { gw, pub, dev } = net;
    const inNs = (ns: string, ...args: string[]) => runInNetns(ns, args);
    const dir = await Deno.makeTempDir({ prefix: "netledger-services-live-" });
    const children: Deno.ChildProcess[] = [];
    const spawnIn = (ns: string, args: string[]) => {
      const child = new Deno.Command("ip", {
        args: ["netns", "exec", ns, ...args],
        stdout: "null",
        stderr: "piped",
      })
        .spawn();
      children.push(child);
      return child;
    };
    try {
      await Deno.mkdir(`/etc/netns/${dev}`, { recursive: true });
      await Deno.writeTextFile(`/etc/netns/${dev}/resolv.conf`, `nameserver ${RESOLVER}\n`);
      await inNs(
        pub,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=svc.example.com",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
      );
      spawnIn(pub, [
        "dnsmasq",
        "--no-daemon",
        "--no-resolv",
        "--no-hosts",
        `--listen-address=${RESOLVER}`,
        "--bind-interfaces",
        `--address=/svc.example.com/${SERVER}`,
        `--pid-file=${dir}/dnsmasq.pid`,
        "--port=53",
      ]);
      spawnIn(pub, [
        "openssl",
        "s_server",
        "-accept",
        `${SERVER}:443`,
        "-cert",
        `${dir}/cert.pem`,
        "-key",
        `${dir}/key.pem`,
        "-www",
        "-quiet",
      ]);
      // QUIC: a certificate for quic.example.org that a client accepts from a server (CA:FALSE).
      await inNs(
        pub,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=quic.example.org",
        "-addext",
        "subjectAltName=DNS:quic.example.org",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-keyout",
        `${dir}/quic-key.pem`,
        "-out",
        `${dir}/quic-cert.pem`,
      );
      spawnIn(pub, [
        Deno.execPath(),
        "run",
        "-A",
        "--unstable-net",
        QUIC_ECHO,
        "serve",
        QUIC_SERVER,
        "4433",
        `${dir}/quic-cert.pem`,
        `${dir}/quic-key.pem`,
      ]);
      spawnIn(pub, [Deno.execPath(), "run", "-A", TCP_EXCHANGE, "serve", PROXIED_SERVER, "5000"]);
      await using probe = await startCaptureProbe(gw, "br0", { countsServices: true });
      assert.equal(probe.started.status.state, "capturing", probe.logs.join("\n"));
      // Bounded: the servers need a moment to listen; curl retries its connection for at most 10 s.
      let body = "";
      for (let attempt = 0; attempt < 20 && !body.includes("s_server"); attempt++) {
        body = await inNs(dev, "curl", "-sk", "--max-time", "5", "https://svc.example.com/").catch(() => "");
        if (!body.includes("s_server")) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.match(body, /s_server/);
      const sendQuic = async (): Promise<string> => {
        let echoed = "";
        for (let attempt = 0; attempt < 10 && echoed !== "100000"; attempt++) {
          echoed = (await inNs(
            dev,
            "timeout",
            "10",
            Deno.execPath(),
            "run",
            "-A",
            "--unstable-net",
            QUIC_ECHO,
            "send",
            QUIC_SERVER,
            "4433",
            "quic.example.org",
            `${dir}/quic-cert.pem`,
            "100000",
          ).catch(() => "")).trim();
          if (echoed !== "100000") await new Promise((resolve) => setTimeout(resolve, 500));
        }
        return echoed;
      };
      // The Initial is decrypted off the counting path, after the ring block that holds it was read (a block
      // retires within ring.ts RETIRE_BLOCK_MS): the packets of that block stay unknown, and every later
      // connection to the same address is named from its first packet. So each exchange waits until its
      // bytes are counted before the next starts, and up to ten bring the named share over 80%.
      type Totals = { totals: { remotes: Record<string, number[]>; services: Record<string, number[]> } };
      const quicBytes = (e: Totals) => (e.totals.remotes[QUIC_SERVER] ?? [0, 0]).reduce((a, b) => a + b);
      const quicShareNamed = (e: Totals) => {
        const named = e.totals.services[`${DEVICE_MAC} example.org`] ?? [0, 0];
        return (named[0] + named[1]) / Math.max(1, quicBytes(e));
      };
      let counted = await probe.status();
      for (let round = 0; round < 11 && quicShareNamed(counted) <= 0.8; round++) {
        const before = quicBytes(counted);
        assert.equal(await sendQuic(), "100000");
        counted = await probe.waitFor((e) => quicBytes(e) > before + 200_000, 10_000);
      }
      // The Clash core's host: taken by the Worker before the answer, so the exchange is named from its SYN.
      const learnt = await probe.learnHost(DEVICE_MAC, PROXIED_SERVER, "proxied.example.net");
      assert.deepEqual([learnt.isQueued, learnt.caughtUp], [true, true]);
      let exchanged = "";
      for (let attempt = 0; attempt < 20 && exchanged !== "50000"; attempt++) {
        exchanged = (await inNs(
          dev,
          Deno.execPath(),
          "run",
          "-A",
          TCP_EXCHANGE,
          "send",
          PROXIED_SERVER,
          "5000",
          "20000",
          "50000",
        )
          .catch(() => "")).trim();
        if (exchanged !== "50000") await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(exchanged, "50000");
      const done = (
        e: { totals: { remotes: Record<string, number[]>; services: Record<string, number[]> } },
      ) => {
        const server = e.totals.remotes[SERVER];
        const named = e.totals.services[`${DEVICE_MAC} example.com`];
        const proxied = e.totals.remotes[PROXIED_SERVER];
        const proxiedNamed = e.totals.services[`${DEVICE_MAC} example.net`];
        return server !== undefined && named !== undefined && server[0] === named[0] &&
          server[1] === named[1] && proxied !== undefined && proxied[0] > 20_000 && proxied[1] > 50_000 &&
          proxiedNamed !== undefined && proxied[0] === proxiedNamed[0] && proxied[1] === proxiedNamed[1];
      };
      await probe.waitFor(done, 20_000).catch(() => null);
      const final = await probe.stop();
      const server = final.totals.remotes[SERVER];
      const resolver = final.totals.remotes[RESOLVER];
      assert.ok(server[0] > 300 && server[1] > 1000, JSON.stringify(final.totals));
      assert.deepEqual(
        final.totals.services[`${DEVICE_MAC} example.com`],
        server,
        JSON.stringify(final.totals.services),
      );
      const proxied = final.totals.remotes[PROXIED_SERVER];
      assert.ok(proxied[0] > 20_000 && proxied[1] > 50_000, JSON.stringify(proxied));
      assert.deepEqual(final.totals.services[`${DEVICE_MAC} example.net`], proxied);
      // QUIC: the Initial names the flow once decrypted, so the first datagrams stay unknown.
      const quic = final.totals.remotes[QUIC_SERVER];
      const quicNamed = final.totals.services[`${DEVICE_MAC} example.org`];
      assert.ok(quicNamed !== undefined, JSON.stringify(final.totals.services));
      assert.ok(quicNamed[0] + quicNamed[1] > 0.8 * (quic[0] + quic[1]), `${quicNamed} of ${quic}`);
      assert.deepEqual(final.totals.services[`${DEVICE_MAC} (unknown)`], [
        resolver[0] + quic[0] - quicNamed[0],
        resolver[1] + quic[1] - quicNamed[1],
      ]);
      assert.equal(final.status.kernelDrops, 0);
    } finally {
      for (const child of children) await endChild(child);
      await Deno.remove(`/etc/netns/${dev}`, { recursive: true }).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});
