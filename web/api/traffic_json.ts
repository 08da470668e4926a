/**
 * Conversions from store/ rows to the API's JSON shapes (web/api_types.ts) and CSV. topIpsJson also reads
 * the host names of the remotes it converts, so every list of remotes (/api/top_ips, a device's) names them
 * the same way.
 */
import {
  type Granularity,
  hostnamesOf,
  type InterfaceTotalsSeries,
  type PeriodTraffic,
  type RemoteTotals,
  type TrafficLedger,
  type TrafficTotals,
} from "../../store/mod.ts";
import { displayHostName } from "../../sniff/mod.ts";
import type { InterfaceTotalsJson, SeriesPointJson, TopIpJson, TrafficAmountJson } from "../api_types.ts";
import { formatBytes } from "../format_bytes.ts";

/** Raw and formatted bytes of a span. */
export function amountJson(totals: TrafficTotals): TrafficAmountJson {
  const total = totals.upBytes + totals.downBytes;
  return {
    up_bytes: totals.upBytes,
    down_bytes: totals.downBytes,
    total_bytes: total,
    up_fmt: formatBytes(totals.upBytes),
    down_fmt: formatBytes(totals.downBytes),
    total_fmt: formatBytes(total),
  };
}

/** One series point keyed by granularity ("hour", "day" or "month"). */
export function pointJson(
  period: PeriodTraffic,
  granularity: "hour",
): SeriesPointJson & { hour: string; hour_ts: string };
export function pointJson(period: PeriodTraffic, granularity: "day"): SeriesPointJson & { day: string };
export function pointJson(period: PeriodTraffic, granularity: "month"): SeriesPointJson & { month: string };
export function pointJson(period: PeriodTraffic, granularity: Granularity): SeriesPointJson;
export function pointJson(period: PeriodTraffic, granularity: Granularity): SeriesPointJson {
  const bytes = {
    up_bytes: period.upBytes,
    down_bytes: period.downBytes,
    total_bytes: period.upBytes + period.downBytes,
    dropped_packets: period.droppedPackets,
    packets: period.packets,
  };
  switch (granularity) {
    case "hour":
      // hour_ts: the replaced tool's key for the same local hour, with seconds (docs/api.md).
      return { hour: period.label, hour_ts: `${period.label}:00`, ...bytes };
    case "day":
      return { day: period.label, ...bytes };
    case "month":
      return { month: period.label, ...bytes };
  }
}

/** Imported interface totals beside a series (issue 17), marked with their source; null stays absent. */
export function interfaceTotalsJson(
  imported: InterfaceTotalsSeries | null,
): { interface_totals: InterfaceTotalsJson } | Record<never, never> {
  if (imported === null) return {};
  return {
    interface_totals: {
      source: "imported_interface_totals",
      interfaces: imported.interfaces,
      series: imported.periods.map((p) => ({
        label: p.label,
        up_bytes: p.txBytes,
        down_bytes: p.rxBytes,
        total_bytes: p.txBytes + p.rxBytes,
      })),
    },
  };
}

/** Sum of a series. */
export function sumPeriods(periods: readonly PeriodTraffic[]): TrafficTotals {
  let upBytes = 0;
  let downBytes = 0;
  for (const p of periods) {
    upBytes += p.upBytes;
    downBytes += p.downBytes;
  }
  return { upBytes, downBytes };
}

/** The series as CSV (RFC 4180, CRLF): a header row, then one row per period. */
export function seriesCsv(periods: readonly PeriodTraffic[], granularity: Granularity): string {
  const lines = [`${granularity},up_bytes,down_bytes,total_bytes,dropped_packets`];
  for (const p of periods) {
    lines.push(`${p.label},${p.upBytes},${p.downBytes},${p.upBytes + p.downBytes},${p.droppedPackets}`);
  }
  return lines.join("\r\n") + "\r\n";
}

/**
 * Ranked remotes of [fromSec, toSec) (the box's or a device's), each with the host name last seen for it in
 * that span: host names are kept per local day, so the days that overlap it count (a 25-hour DST day too).
 */
export function topIpsJson(
  ledger: TrafficLedger,
  remotes: readonly RemoteTotals[],
  fromSec: number,
  toSec: number,
): TopIpJson[] {
  const hostnames = hostnamesOf(ledger, remotes.map((r) => r.remoteIp), fromSec - 25 * 3600 + 1, toSec);
  return remotes.map((r) => {
    const hostname = hostnames.get(r.remoteIp);
    return {
      ip: r.remoteIp,
      bytes: r.upBytes + r.downBytes,
      bytes_fmt: formatBytes(r.upBytes + r.downBytes),
      up_bytes: r.upBytes,
      down_bytes: r.downBytes,
      ...(hostname === undefined ? {} : { hostname: displayHostName(hostname) }),
    };
  });
}
