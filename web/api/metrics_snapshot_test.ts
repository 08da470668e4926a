import assert from "node:assert/strict";
import { ClashMonitor } from "../../clash/mod.ts";
import { NameFiles } from "../../names/mod.ts";
import { ClashLedger, ClashStore, openStore, TrafficLedger } from "../../store/mod.ts";
import { buildMetricsSnapshot } from "./metrics_snapshot.ts";

Deno.test("buildMetricsSnapshot() labels a device with the name /api/devices shows, from the files too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-metrics-names-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  const files = new NameFiles({
    leasePaths: [],
    ethersPath: `${dir}/ethers`,
    hostsPath: null,
    log: () => {},
  });
  try {
    const ledger = new TrafficLedger(store);
    const bucketStartSec = 1_718_433_000;
    const device = (deviceKey: string, upBytes: number) => ({
      bucketStartSec,
      deviceKey,
      upBytes,
      downBytes: 0,
      upPackets: 1,
      downPackets: 0,
    });
    ledger.add({
      traffic: [{ bucketStartSec, family: 4, upBytes: 30, downBytes: 0, upPackets: 2, downPackets: 0 }],
      remotes: [],
      health: [],
      devices: [device("3c:22:fb:00:00:07", 20), device("00:1b:63:00:00:09", 10)],
      deviceAddresses: [],
    });
    await Deno.writeTextFile(`${dir}/ethers`, "3c:22:fb:00:00:07 anna-phone\n");
    await files.refresh();
    const monitor = new ClashMonitor({
      apiUrl: null,
      secret: "",
      persistence: new ClashStore(store),
      log: () => {},
    });
    const snapshot = buildMetricsSnapshot({
      version: "test",
      ledger,
      capture: null,
      clash: { monitor, ledger: new ClashLedger(store, monitor) },
      timeZone: "UTC",
      nowSec: bucketStartSec + 60,
      topN: 20,
      fileNames: files,
    });
    assert.deepEqual(snapshot.devices.rows.map((d) => [d.key, d.name]), [
      ["3c:22:fb:00:00:07", "anna-phone"],
      ["00:1b:63:00:00:09", null],
    ]);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
