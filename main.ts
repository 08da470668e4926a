/**
 * netledger's composition root: loads the config, opens the store, starts capture and the Clash monitor,
 * serves the API and dashboard, flushes every SAVE_INTERVAL, and shuts down in order on SIGINT/SIGTERM:
 * stop capture (its last batch arrives), final flush, stop the server (requests in flight still read the
 * database), close the database.
 * Nothing imports this file.
 */
import denoJson from "./deno.json" with { type: "json" };
import { type Config, ConfigErrors, ENV_NAMES, helpText, HOST_NAME_FILES, loadConfig } from "./config.ts";
import { LiveCapture, RATE_LAG_SEC, RATE_WINDOW_SEC, RateWindow } from "./capture/mod.ts";
import { ClashMonitor } from "./clash/mod.ts";
import { NameFiles } from "./names/mod.ts";
import {
  applyClashRetention,
  applyRetention,
  ClashLedger,
  ClashStore,
  openStore,
  planAlertHook,
  PlanBook,
  pruneServiceHosts,
  type Store,
  StoredAlertOutbox,
  StoreError,
  TrafficLedger,
} from "./store/mod.ts";
import { AlertDispatcher } from "./plans/mod.ts";
import { runTestAlert } from "./test_alert_command.ts";
import {
  buildMetricsSnapshot,
  createApp,
  createAuth,
  exposureWarning,
  forwardConnectionHosts,
  neighbourMacs,
  serveWithHeaderTimeout,
} from "./web/api/mod.ts";
import { runImport, runSentinelImport, runVnstatImport } from "./import_command.ts";
import { runHealthcheck } from "./packaging/mod.ts";

const VERSION = denoJson.version;
/** Retention runs hourly; rollups are cheap when there is nothing to roll up. */
const RETENTION_INTERVAL_MS = 3_600_000;
/** How long shutdown waits for requests in flight before it stops serving anyway. */
const SERVER_DRAIN_MS = 3_000;
/** Pause between retention passes while a backlog is rolled up. */
const RETENTION_CATCH_UP_MS = 1_000;
/** How often the name files' modification times are checked: a stat each, so a new lease shows soon. */
const NAME_FILES_POLL_MS = 10_000;

function log(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

async function main(args: readonly string[]): Promise<number> {
  let config: Config;
  try {
    // Only the named variables: the compiled binary may read nothing else (--allow-env=<ENV_NAMES>).
    config = loadConfig(args, Object.fromEntries(ENV_NAMES.map((name) => [name, Deno.env.get(name)])));
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    console.error(e.message);
    console.error("Run netledger --help for every flag and variable");
    return 2;
  }
  if (config.showHelp) {
    console.log(helpText(VERSION));
    return 0;
  }
  if (config.showVersion) {
    console.log(`netledger ${VERSION} (deno ${Deno.version.deno})`);
    return 0;
  }
  if (config.runHealthcheck) {
    return await runHealthcheck({ bindAddress: config.bindAddress, webPort: config.webPort });
  }
  let store: Store;
  try {
    store = openStore(config.dbPath, { log, timeZone: config.timeZone });
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    console.error(e.message);
    return 1;
  }
  try {
    if (config.testAlertPlan !== null) {
      return await runTestAlert(store, {
        plan: config.testAlertPlan,
        envPlans: config.plans,
        channels: config.alertChannels,
        timeZone: config.timeZone,
        nowSec: Math.floor(Date.now() / 1000),
        log,
      });
    }
    if (config.vnstat !== null) {
      return runVnstatImport(store, { ...config.vnstat, timeZone: config.timeZone });
    }
    if (config.sentinelPath !== null) {
      return await runSentinelImport(store, { path: config.sentinelPath, timeZone: config.timeZone });
    }
    return config.pcapPath !== null
      ? await runImport(store, {
        path: config.pcapPath,
        localIps: config.localIps,
        excludeIpv6Prefixes: config.excludeIpv6Prefixes,
        countsServices: config.serviceNames,
        timeZone: config.timeZone,
      })
      : await serve(config, store);
  } finally {
    store.close();
  }
}

async function serve(config: Config, store: Store): Promise<number> {
  const nowSec = () => Math.floor(Date.now() / 1000);
  // Plans (issue 16): thresholds are checked in each save's transaction, deliveries sent off the counting path.
  const channels = config.alertChannels.map((c) => c.kind);
  const outbox = new StoredAlertOutbox(store);
  const dispatcher = new AlertDispatcher({ outbox, channels: config.alertChannels, log, nowSec });
  const writeHook = planAlertHook({
    envPlans: config.plans,
    channels,
    timeZone: config.timeZone,
    nowSec,
    log,
    onQueued: () => dispatcher.kick(),
  });
  const ledger = new TrafficLedger(store, { timeZone: config.timeZone, writeHook });
  const plans = { book: new PlanBook(store, config.plans), outbox, channels };
  log(
    `Plans: ${plans.book.list().map((e) => `"${e.plan.id}"`).join(", ") || "none"}; alerts ` +
      (channels.length === 0 ? "only logged (no ALERT_* channel)" : `sent over ${channels.join(", ")}`),
  );
  dispatcher.start();
  // Wider than the samples served, so the oldest one served is never a slot the Worker is reusing.
  const rateWindow = RateWindow.shared(RATE_WINDOW_SEC + RATE_LAG_SEC + 1);
  log(
    `History in "${config.dbPath}", hours and days in ${config.timeZone}, saved every ${config.saveIntervalSec} s`,
  );
  const capture = await LiveCapture.start({
    iface: config.iface,
    ringBytes: config.ringBytes,
    excludeIpv6Prefixes: config.excludeIpv6Prefixes,
    disableOffloads: config.disableOffloads,
    onBatch: (batch) => ledger.add(batch),
    log,
    rateWindow,
    countsServices: config.serviceNames,
  });
  const clashStore = new ClashStore(store);
  // Only a Clash client needs it (one dump per 30 s at most, on demand).
  const neighbours = config.clash.apiUrl === null ? undefined : neighbourMacs(log);
  const monitor = new ClashMonitor({
    apiUrl: config.clash.apiUrl,
    secret: config.clash.secret,
    persistence: clashStore,
    log,
    // The core's hosts name the capture's packets too (SERVICE_NAMES), under the devices its clients map to.
    onConnectionHosts: config.serviceNames
      ? forwardConnectionHosts({
        ledger,
        neighbourMacs: neighbours,
        learnHost: (deviceKey, remoteIp, host) => capture.learnHost(deviceKey, remoteIp, host),
        log,
      })
      : undefined,
  });
  monitor.start();
  const clash = { monitor, ledger: new ClashLedger(store, monitor) };
  // Read on the main thread, asynchronously: the counting runs in the capture Worker and never waits on them.
  const fileNames = new NameFiles({ leasePaths: config.dhcpLeasePaths, ...HOST_NAME_FILES, log });
  await fileNames.refresh();
  fileNames.start(NAME_FILES_POLL_MS);
  const auth = createAuth({ ...config.auth, log });
  const app = createApp({
    version: VERSION,
    timeZone: config.timeZone,
    nowSec,
    ledger,
    realtime: rateWindow,
    captureStatus: () => capture.status(),
    catchUpCapture: () => capture.catchUp(),
    serviceNames: config.serviceNames,
    localAddresses: () => capture.localAddresses(),
    clash,
    auth,
    fileNames,
    plans,
    neighbourMacs: neighbours,
    hosts: {
      allowedHosts: config.allowedHosts,
      bindAddress: config.bindAddress,
      machineHostname: Deno.hostname(),
    },
    metrics: () =>
      buildMetricsSnapshot({
        version: VERSION,
        ledger,
        capture: capture.status(),
        clash,
        timeZone: config.timeZone,
        nowSec: nowSec(),
        topN: config.metricsTopN,
        fileNames,
        plans: plans.book,
      }),
  });
  // Deno.serve itself never times out a half-sent request head (issue 12 finding 9).
  const server = serveWithHeaderTimeout({
    hostname: config.bindAddress,
    port: config.webPort,
    log,
    onListen: ({ hostname, port }) => {
      // The port really bound (WEB_PORT=0 picks a free one): tests read it from this line.
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      log(`Serving the dashboard and API on http://${host}:${port}/`);
      const warning = exposureWarning({
        bindAddress: config.bindAddress,
        webPort: port,
        isAuthEnabled: auth.isEnabled,
      });
      if (warning !== null) log(warning);
    },
  }, app.fetch);

  const flushAll = async () => {
    await capture.catchUp();
    // The ledger logs once when saving starts failing and once when it works again.
    await ledger.flush();
    try {
      monitor.flush();
    } catch (e) {
      log(`Proxy-client history kept in memory: ${(e as Error).message}`);
    }
  };
  let retentionCatchUp: ReturnType<typeof setTimeout> | undefined;
  const retention = () => {
    try {
      const options = { timeZone: config.timeZone, nowSec: nowSec() };
      const result = applyRetention(store, { ...config.retention, ...options });
      applyClashRetention(store, { clashDays: config.retention.clashDays, ...options });
      pruneServiceHosts(ledger, config.serviceRetentionDays, options.nowSec);
      // Each pass rolls up a bounded span so a year of backlog never blocks the event loop for long.
      if (!result.isComplete) retentionCatchUp = setTimeout(retention, RETENTION_CATCH_UP_MS);
    } catch (e) {
      log(`Retention pass failed, will retry in an hour: ${(e as Error).message}`);
    }
  };
  retention();
  let isFlushing = false;
  const flushTimer = setInterval(async () => {
    if (isFlushing) return;
    isFlushing = true;
    try {
      await flushAll();
    } finally {
      isFlushing = false;
    }
  }, config.saveIntervalSec * 1000);
  const retentionTimer = setInterval(retention, RETENTION_INTERVAL_MS);

  const signal = await waitForSignal();
  log(`Received ${signal}: stopping capture, saving, closing`);
  clearInterval(flushTimer);
  clearInterval(retentionTimer);
  clearTimeout(retentionCatchUp);
  fileNames.close();
  await step("stop capture", () => capture.stop());
  await step("stop the Clash monitor", () => monitor.stop());
  await step("final flush", flushAll);
  await step("stop alert delivery", () => dispatcher.close());
  // Open dashboards keep WebSockets and polls alive: give requests in flight a moment, then close them.
  await step("stop the server", () =>
    Promise.race([
      server.shutdown(),
      new Promise((resolve) => setTimeout(resolve, SERVER_DRAIN_MS)),
    ]));
  log("Stopped");
  return 0;
}

/** Runs one shutdown step; its failure is logged and the next step still runs. */
async function step(name: string, run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (e) {
    log(`Shutdown step "${name}" failed: ${(e as Error).message}`);
  }
}

function waitForSignal(): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => resolve(signal));
    }
  });
}

Deno.exit(await main(Deno.args));
