/**
 * The app as main.ts builds it (createApp), served in this process on 127.0.0.1:0 over a temp database: no
 * capture, auth off, CLASH_API_URL unset. For tests that need the real HTTP server, the one error path and
 * the store's real Workers, but no root and no child process.
 */
import { ClashMonitor } from "../../clash/mod.ts";
import { ClashLedger, openStore, type Store, TrafficLedger } from "../../store/mod.ts";
import { buildMetricsSnapshot, createApp, createAuth } from "../../web/api/mod.ts";

/** A served app; `await using` stops the server, closes the database and removes its directory. */
export interface ServedApp extends AsyncDisposable {
  readonly baseUrl: string;
  /** The folder of the database file (and of its temporary backup copies). */
  readonly dir: string;
  readonly store: Store;
  readonly ledger: TrafficLedger;
}

/**
 * A fill for serveApp: `rows` remote_traffic rows over 1,000 documentation addresses, 1,000 rows per
 * 15-minute bucket, in one statement so that hundreds of thousands take well under a second to write.
 */
export function remoteRows(rows: number): (store: Store) => void {
  return (store) => {
    // The remote_ips dictionary (ids 1..1000), then 15-minute rows and their UTC day rows (store/history_migrations.ts).
    store.db.exec(
      `INSERT INTO remote_ips (id, ip, last_used)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
       SELECT i, '2001:db8::' || printf('%x', i - 1), 0 FROM n`,
    );
    for (const [table, span] of [["remote_traffic", 900], ["remote_days", 86_400]]) {
      store.db.prepare(
        `INSERT INTO ${table} SELECT * FROM (
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
         SELECT ((i / 1000) * 900 / ${span}) * ${span} AS s, i % 1000 + 1 AS id, sum(i % 977), sum(i % 613),
           count(*), count(*) FROM n GROUP BY s, id) WHERE true`,
      ).run(rows);
    }
  };
}

/** Serves the app over a new database, after `fill(store)` wrote what the test needs. */
export async function serveApp(fill: (store: Store) => void = () => {}): Promise<ServedApp> {
  const dir = await Deno.makeTempDir({ prefix: "netledger-app-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  fill(store);
  const ledger = new TrafficLedger(store);
  const monitor = new ClashMonitor({ apiUrl: null, secret: "", persistence: null, log: () => {} });
  const clash = { monitor, ledger: new ClashLedger(store, monitor) };
  const nowSec = () => Date.now() / 1000;
  const app = createApp({
    version: "test",
    timeZone: "UTC",
    nowSec,
    ledger,
    realtime: { samples: () => [] },
    captureStatus: () => null,
    catchUpCapture: () => Promise.resolve(),
    localAddresses: () => ({ ips: [], lanPrefixes: [], mode: "auto-gua-/56" }),
    clash,
    auth: createAuth({ password: null, passwordHash: null, apiToken: null, log: () => {} }),
    hosts: { allowedHosts: null, bindAddress: "127.0.0.1", machineHostname: "localhost" },
    metrics: () =>
      buildMetricsSnapshot({
        version: "test",
        ledger,
        capture: null,
        clash,
        timeZone: "UTC",
        nowSec: Math.floor(nowSec()),
        topN: 10,
      }),
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    dir,
    store,
    ledger,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
