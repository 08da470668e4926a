import assert from "node:assert/strict";
import { openStore, TrafficLedger } from "../../store/mod.ts";
import { forwardConnectionHosts } from "./connection_hosts.ts";

const PHONE = "3c:22:fb:00:00:07";
const TV = "00:11:22:33:44:55";
const BUCKET = 1_795_000_500;

Deno.test("forwardConnectionHosts names each host under the device its client maps to (captured address, else neighbour), else box-wide, once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-connection-hosts-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  try {
    const ledger = new TrafficLedger(store);
    const row = (deviceKey: string) => ({
      bucketStartSec: BUCKET,
      deviceKey,
      upBytes: 100,
      downBytes: 100,
      upPackets: 1,
      downPackets: 1,
    });
    ledger.add({
      traffic: [{
        bucketStartSec: BUCKET,
        family: 4,
        upBytes: 200,
        downBytes: 200,
        upPackets: 2,
        downPackets: 2,
      }],
      remotes: [],
      health: [],
      devices: [row(PHONE), row(TV)],
      deviceAddresses: [{
        deviceKey: PHONE,
        ip: "192.168.1.20",
        firstSeenSec: BUCKET,
        lastSeenSec: BUCKET + 60,
      }],
    });
    await ledger.flush();
    const learnt: string[] = [];
    const forward = forwardConnectionHosts({
      ledger,
      neighbourMacs: () => new Map([["192.168.1.30", TV]]),
      learnHost: (deviceKey, remoteIp, host) => learnt.push(`${deviceKey} ${remoteIp} ${host}`) > 0,
      log: () => {},
    });
    forward([
      { clientIp: "192.168.1.20", destinationIp: "203.0.113.10", host: "video.example.com" },
      { clientIp: "192.168.1.20", destinationIp: "203.0.113.10", host: "video.example.com" },
      { clientIp: "192.168.1.30", destinationIp: "2001:db8::9", host: "tv.example.org" },
      { clientIp: "192.168.1.99", destinationIp: "198.51.100.7", host: "lone.example.net" },
    ]);
    assert.deepEqual(learnt, [
      `${PHONE} 203.0.113.10 video.example.com`,
      `${TV} 2001:db8::9 tv.example.org`,
      "null 198.51.100.7 lone.example.net",
    ]);
    // A store that cannot be read: logged once, the names go box-wide.
    store.close();
    const logged: string[] = [];
    learnt.length = 0;
    const broken = forwardConnectionHosts({
      ledger,
      learnHost: (deviceKey, remoteIp, host) => learnt.push(`${deviceKey} ${remoteIp} ${host}`) > 0,
      log: (line) => logged.push(line),
    });
    broken([{ clientIp: "192.168.1.20", destinationIp: "203.0.113.10", host: "video.example.com" }]);
    broken([{ clientIp: "192.168.1.20", destinationIp: "203.0.113.11", host: "video.example.com" }]);
    assert.deepEqual(learnt, ["null 203.0.113.10 video.example.com", "null 203.0.113.11 video.example.com"]);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /Cannot map Clash clients to devices/);
  } finally {
    store.close(); // a second close does nothing
    await Deno.remove(dir, { recursive: true });
  }
});
