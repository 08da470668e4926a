/**
 * Fills the /metrics MetricsSnapshot from the live parts: all-time traffic from the ledger (stored plus
 * unsaved), today's heaviest remotes, all-time traffic per device, capture health and, when configured, the
 * proxy clients.
 */
import type { CaptureStatus } from "../../capture/mod.ts";
import type { ClashMonitor } from "../../clash/mod.ts";
import {
  allTimeTotals,
  type ClashLedger,
  devicesOfSpan,
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  type PlanBook,
  servicesOfSpan,
  topRemotes,
  type TrafficLedger,
  trafficTotal,
} from "../../store/mod.ts";
import { deviceName, type FileNameLookup } from "./device_json.ts";
import { planStatus } from "./plan_json.ts";
import type { MetricsSnapshot } from "./metrics.ts";

/** What buildMetricsSnapshot reads. */
export interface MetricsSources {
  readonly version: string;
  readonly ledger: TrafficLedger;
  readonly capture: CaptureStatus | null;
  readonly clash: { readonly monitor: ClashMonitor; readonly ledger: ClashLedger };
  readonly timeZone: string;
  readonly nowSec: number;
  /** METRICS_TOP_N. */
  readonly topN: number;
  /** Device names from the LAN's files, as /api/devices shows them; absent, only users' names. */
  readonly fileNames?: FileNameLookup;
  /** The plans whose current periods are exposed; absent, none. */
  readonly plans?: PlanBook;
}

/** One consistent read of everything /metrics exposes. */
export function buildMetricsSnapshot(sources: MetricsSources): MetricsSnapshot {
  const { ledger, timeZone, nowSec } = sources;
  const totals = allTimeTotals(ledger);
  const today = localDateOf(nowSec, timeZone);
  const windowStartSec = localDateStartSec(today, timeZone);
  const windowEndSec = localDateEndSec(today, timeZone);
  const top = topRemotes(ledger, { fromSec: windowStartSec, toSec: windowEndSec, limit: sources.topN });
  const windowTotal = trafficTotal(ledger, windowStartSec, windowEndSec);
  return {
    version: sources.version,
    isCaptureRunning: sources.capture?.state === "capturing",
    traffic: totals.families,
    malformedPackets: totals.malformedPackets,
    droppedPackets: totals.droppedPackets,
    topRemotes: {
      windowStartSec,
      totalUpBytes: windowTotal.upBytes,
      totalDownBytes: windowTotal.downBytes,
      rows: top.remotes,
      limit: sources.topN,
    },
    devices: {
      rows: devicesOfSpan(ledger, 0, Number.MAX_SAFE_INTEGER).devices.map((d) => ({
        key: d.key,
        name: deviceName(d, { fileNames: sources.fileNames ?? null, ips: d.ips.map((i) => i.ip) }).name,
        upBytes: d.upBytes,
        downBytes: d.downBytes,
      })),
      limit: sources.topN,
    },
    services: {
      rows: servicesOfSpan(ledger, {
        fromSec: 0,
        toSec: Number.MAX_SAFE_INTEGER,
        deviceId: null,
        limit: sources.topN,
        hostLimit: 0,
      }).services.map((s) => ({ name: s.name, upBytes: s.upBytes, downBytes: s.downBytes })),
      limit: sources.topN,
    },
    plans: sources.plans?.list().map((entry) => {
      const { period, figures } = planStatus(entry, { ledger, timeZone, nowSec });
      return {
        id: entry.plan.id,
        usedBytes: figures.usedBytes,
        quotaBytes: entry.plan.quotaBytes,
        forecastBytes: figures.forecastBytes,
        periodEndSec: period.endSec,
      };
    }),
    clash: sources.clash.monitor.isConfigured ? clashMetrics(sources.clash, nowSec) : null,
  };
}

function clashMetrics(
  clash: MetricsSources["clash"],
  nowSec: number,
): MetricsSnapshot["clash"] {
  const { monitor, ledger } = clash;
  const live = new Map(monitor.liveClients().map((c) => [c.clientIp, c.activeConnections]));
  const names = ledger.clientInfos();
  const endSec = Math.ceil(nowSec) + 1;
  const clients = ledger.clientTotals(0, endSec).map((row) => ({
    clientIp: row.key,
    name: names.get(row.key)?.name ?? null,
    upBytes: row.upBytes,
    downBytes: row.downBytes,
    activeConnections: live.get(row.key) ?? 0,
  }));
  const total = ledger.total(0, endSec);
  return {
    isCoreReachable: monitor.status().state === "connected",
    activeConnections: monitor.liveConnections().length,
    clients,
    unattributedUpBytes: total.unattributedUpBytes,
    unattributedDownBytes: total.unattributedDownBytes,
  };
}
