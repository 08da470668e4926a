/**
 * GET /metrics body in the Prometheus text exposition format (version 0.0.4): one pure function of a plain
 * snapshot that main.ts fills from store, capture and clash getters. People with many boxes scrape each
 * appliance with Prometheus, VictoriaMetrics or Thanos; the series set is bounded so that scales.
 */
import type { FamilyTotals, RemoteTotals } from "../../store/mod.ts";

/** Content-Type of the text exposition format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Most proxy clients exposed as separate series; heavier ones first, the rest summed as client_ip="other". */
export const MAX_CLIENT_SERIES = 500;

/** All-time traffic of one local device (issue 14). */
export interface DeviceBytes {
  /** Its MAC, or its IP on links without MACs. */
  readonly key: string;
  /** User-given name, or null. */
  readonly name: string | null;
  readonly upBytes: number;
  readonly downBytes: number;
}

/** All-time proxied traffic and live connections of one Clash client. */
export interface ClashClientTotals {
  readonly clientIp: string;
  /** User-given name, or null. */
  readonly name: string | null;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly activeConnections: number;
}

/** The current period of one plan (issue 16): gauges, since Prometheus cannot cut a billing period itself. */
export interface PlanMetrics {
  readonly id: string;
  readonly usedBytes: number;
  /** Null: no cap (no quota series). */
  readonly quotaBytes: number | null;
  readonly forecastBytes: number;
  /** UTC seconds at which the period ends (local midnight after its last day). */
  readonly periodEndSec: number;
}

/** Everything /metrics shows, as plain numbers and strings. */
export interface MetricsSnapshot {
  readonly version: string;
  /** True while the live capture reads packets (false: no permission, interface down, pcap-only). */
  readonly isCaptureRunning: boolean;
  /** All-time totals (stored plus unsaved), one entry per family; a missing family is exposed as zeros. */
  readonly traffic: readonly FamilyTotals[];
  /** All-time frames skipped as truncated or garbled. */
  readonly malformedPackets: number;
  /** All-time packets the kernel dropped before netledger read them. */
  readonly droppedPackets: number;
  readonly topRemotes: {
    /** UTC seconds where the window starts (e.g. today's local midnight). */
    readonly windowStartSec: number;
    /** The window's total public bytes over all remotes, so "other" = total − shown. */
    readonly totalUpBytes: number;
    readonly totalDownBytes: number;
    /**
     * Heaviest remotes of the window, any order; more than `limit` rows are cut to `limit`. A remote IP of
     * "other" (OTHER_REMOTE_IP) is a remainder row from the store.
     */
    readonly rows: readonly RemoteTotals[];
    /** How many remotes get their own series (METRICS_TOP_N). */
    readonly limit: number;
  };
  /**
   * All-time traffic per device, any order; the heaviest `limit` (METRICS_TOP_N) get their own series, and
   * device="other" is the all-time total (`traffic`) minus those, so the series sum to the total.
   */
  readonly devices: { readonly rows: readonly DeviceBytes[]; readonly limit: number };
  /**
   * All-time bytes of the heaviest services (registrable domains, issue 15), at most `limit`
   * (METRICS_TOP_N); service="other" is the all-time total (`traffic`) minus those, unnamed bytes included.
   * Absent: no service series.
   */
  readonly services?: {
    readonly rows: readonly { readonly name: string; readonly upBytes: number; readonly downBytes: number }[];
    readonly limit: number;
  };
  /** Every plan's current period; absent or empty: no plan series. */
  readonly plans?: readonly PlanMetrics[];
  /** Null when CLASH_API_URL is unset: then no Clash series are exposed at all. */
  readonly clash: {
    readonly isCoreReachable: boolean;
    readonly activeConnections: number;
    readonly clients: readonly ClashClientTotals[];
    /** Bytes the core counted that no connection snapshot could attribute to a client (all-time). */
    readonly unattributedUpBytes: number;
    readonly unattributedDownBytes: number;
  } | null;
}

type Labels = Readonly<Record<string, string>>;

/** Collects families in order; each family is written once with its HELP and TYPE. */
class Exposition {
  readonly #lines: string[] = [];

  family(name: string, type: "counter" | "gauge", help: string, samples: readonly [Labels, number][]): void {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      this.#lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    }
  }

  toString(): string {
    return this.#lines.join("\n") + "\n";
  }
}

/** Renders the snapshot; series sets are bounded by `topRemotes.limit`, `devices.limit` and MAX_CLIENT_SERIES. */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  const out = new Exposition();
  out.family("netledger_build_info", "gauge", "Version of the running netledger, always 1.", [[{
    version: snapshot.version,
  }, 1]]);
  out.family("netledger_capture_up", "gauge", "1 while the live capture reads packets, else 0.", [[
    {},
    snapshot.isCaptureRunning ? 1 : 0,
  ]]);
  const families = ([4, 6] as const).map((family): FamilyTotals =>
    snapshot.traffic.find((t) => t.family === family) ??
      { family, upBytes: 0, downBytes: 0, upPackets: 0, downPackets: 0 }
  );
  const byDirection = (pick: (t: FamilyTotals) => [number, number]): [Labels, number][] =>
    families.flatMap((t) => {
      const [up, down] = pick(t);
      const family = `ipv${t.family}`;
      return [[{ direction: "upload", family }, up], [{ direction: "download", family }, down]];
    });
  out.family(
    "netledger_public_bytes_total",
    "counter",
    "IP-layer bytes exchanged with public addresses, all time.",
    byDirection((t) => [t.upBytes, t.downBytes]),
  );
  out.family(
    "netledger_public_packets_total",
    "counter",
    "Packets exchanged with public addresses, all time.",
    byDirection((t) => [t.upPackets, t.downPackets]),
  );
  out.family(
    "netledger_malformed_packets_total",
    "counter",
    "Frames skipped as truncated or garbled, all time.",
    [
      [{}, snapshot.malformedPackets],
    ],
  );
  out.family(
    "netledger_dropped_packets_total",
    "counter",
    "Packets the kernel dropped before netledger read them.",
    [
      [{}, snapshot.droppedPackets],
    ],
  );
  renderTopRemotes(out, snapshot.topRemotes);
  renderDevices(out, snapshot.devices, families);
  if (snapshot.services !== undefined) renderServices(out, snapshot.services, families);
  if (snapshot.plans !== undefined && snapshot.plans.length > 0) renderPlans(out, snapshot.plans);
  if (snapshot.clash !== null) renderClash(out, snapshot.clash);
  return out.toString();
}

function renderPlans(out: Exposition, plans: readonly PlanMetrics[]): void {
  const gauge = (name: string, help: string, pick: (p: PlanMetrics) => number | null) =>
    out.family(
      name,
      "gauge",
      help,
      plans.flatMap((p): [Labels, number][] => {
        const value = pick(p);
        return value === null ? [] : [[{ plan: p.id }, value]];
      }),
    );
  gauge(
    "netledger_plan_used_bytes",
    "Bytes the plan counted in its current billing period.",
    (p) => p.usedBytes,
  );
  gauge(
    "netledger_plan_quota_bytes",
    "Quota of the plan per period, in bytes (plans with a cap).",
    (p) => p.quotaBytes,
  );
  gauge(
    "netledger_plan_forecast_bytes",
    "Forecast of the plan's bytes at the end of its current period.",
    (p) => p.forecastBytes,
  );
  gauge(
    "netledger_plan_period_end_timestamp_seconds",
    "End of the plan's current period (local midnight after its last day), in Unix seconds.",
    (p) => p.periodEndSec,
  );
}

function renderTopRemotes(out: Exposition, top: MetricsSnapshot["topRemotes"]): void {
  out.family(
    "netledger_remote_window_start_seconds",
    "gauge",
    "Start of the window of netledger_remote_bytes, in Unix seconds.",
    [[{}, top.windowStartSec]],
  );
  const shown = top.rows.filter((r) => r.remoteIp !== "other")
    .toSorted((a, b) =>
      b.upBytes + b.downBytes - (a.upBytes + a.downBytes) || compareText(a.remoteIp, b.remoteIp)
    )
    .slice(0, Math.max(0, top.limit));
  const otherUp = top.totalUpBytes - sum(shown, (r) => r.upBytes);
  const otherDown = top.totalDownBytes - sum(shown, (r) => r.downBytes);
  const samples: [Labels, number][] = [];
  for (const r of [...shown, { remoteIp: "other", upBytes: otherUp, downBytes: otherDown }]) {
    samples.push([{ remote_ip: r.remoteIp, direction: "upload" }, r.upBytes]);
    samples.push([{ remote_ip: r.remoteIp, direction: "download" }, r.downBytes]);
  }
  out.family(
    "netledger_remote_bytes",
    "gauge",
    'Public bytes per remote IP since the window start: the top METRICS_TOP_N, and remote_ip="other" for the ' +
      "rest, so the series sum to the window total.",
    samples,
  );
}

function renderDevices(
  out: Exposition,
  devices: MetricsSnapshot["devices"],
  families: readonly FamilyTotals[],
): void {
  const shown = devices.rows.filter((d) => d.key !== "other")
    .toSorted((a, b) => b.upBytes + b.downBytes - (a.upBytes + a.downBytes) || compareText(a.key, b.key))
    .slice(0, Math.max(0, devices.limit));
  const other = {
    key: "other",
    name: null,
    upBytes: sum(families, (t) => t.upBytes) - sum(shown, (d) => d.upBytes),
    downBytes: sum(families, (t) => t.downBytes) - sum(shown, (d) => d.downBytes),
  };
  out.family(
    "netledger_device_bytes_total",
    "counter",
    "Public bytes per local device (its MAC, or its IP on links without MACs), all time: the top " +
      'METRICS_TOP_N, and device="other" for the rest, so the series sum to netledger_public_bytes_total.',
    [...shown, other].flatMap((d) =>
      [
        [{ device: d.key, name: d.name ?? "", direction: "upload" }, d.upBytes],
        [{ device: d.key, name: d.name ?? "", direction: "download" }, d.downBytes],
      ] satisfies [Labels, number][]
    ),
  );
}

function renderServices(
  out: Exposition,
  services: NonNullable<MetricsSnapshot["services"]>,
  families: readonly FamilyTotals[],
): void {
  const shown = services.rows
    .toSorted((a, b) => b.upBytes + b.downBytes - (a.upBytes + a.downBytes) || compareText(a.name, b.name))
    .slice(0, Math.max(0, services.limit));
  const other = {
    name: "other",
    upBytes: sum(families, (t) => t.upBytes) - sum(shown, (s) => s.upBytes),
    downBytes: sum(families, (t) => t.downBytes) - sum(shown, (s) => s.downBytes),
  };
  out.family(
    "netledger_service_bytes_total",
    "counter",
    "Public bytes per service (registrable domain named by DNS, SNI or HTTP Host), all time: the top " +
      'METRICS_TOP_N, and service="other" for the rest and the unnamed bytes, so the series sum to ' +
      "netledger_public_bytes_total.",
    [...shown, other].flatMap((s) =>
      [
        [{ service: s.name, direction: "upload" }, s.upBytes],
        [{ service: s.name, direction: "download" }, s.downBytes],
      ] satisfies [Labels, number][]
    ),
  );
}

function renderClash(out: Exposition, clash: NonNullable<MetricsSnapshot["clash"]>): void {
  out.family("netledger_clash_core_up", "gauge", "1 when the Clash API of the proxy core answers, else 0.", [[
    {},
    clash.isCoreReachable ? 1 : 0,
  ]]);
  out.family("netledger_clash_connections", "gauge", "Open connections reported by the proxy core.", [[
    {},
    clash.activeConnections,
  ]]);
  const ranked = clash.clients.toSorted((a, b) =>
    b.upBytes + b.downBytes - (a.upBytes + a.downBytes) || compareText(a.clientIp, b.clientIp)
  );
  const shown = ranked.slice(0, MAX_CLIENT_SERIES);
  const rest = ranked.slice(MAX_CLIENT_SERIES);
  const rows = rest.length === 0 ? shown : [...shown, {
    clientIp: "other",
    name: null,
    upBytes: sum(rest, (c) => c.upBytes),
    downBytes: sum(rest, (c) => c.downBytes),
    activeConnections: sum(rest, (c) => c.activeConnections),
  }];
  out.family(
    "netledger_clash_client_bytes_total",
    "counter",
    "Proxied bytes per client IP, all time.",
    rows.flatMap((c) =>
      [
        [{ client_ip: c.clientIp, direction: "upload" }, c.upBytes],
        [{ client_ip: c.clientIp, direction: "download" }, c.downBytes],
      ] satisfies [Labels, number][]
    ),
  );
  out.family(
    "netledger_clash_client_connections",
    "gauge",
    "Open proxied connections per client IP.",
    rows.map((c) => [{ client_ip: c.clientIp }, c.activeConnections]),
  );
  out.family(
    "netledger_clash_client_info",
    "gauge",
    "User-given name of a client IP, always 1.",
    shown.filter((c) => c.name !== null).map((c) => [{ client_ip: c.clientIp, name: c.name! }, 1]),
  );
  out.family(
    "netledger_clash_unattributed_bytes_total",
    "counter",
    "Proxied bytes the core counted that no connection snapshot attributed to a client, all time.",
    [[{ direction: "upload" }, clash.unattributedUpBytes], [
      { direction: "download" },
      clash.unattributedDownBytes,
    ]],
  );
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

/** Label values escape backslash, double quote and line feed, as the exposition format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

function sum<T>(rows: readonly T[], pick: (row: T) => number): number {
  let total = 0;
  for (const row of rows) total += pick(row);
  return total;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
