/**
 * The Devices API (issue 14): which local device used the internet, over a range of local dates. Devices
 * plus `other` equal /api/query's summary for the same range, byte for byte (store/device_queries.ts).
 * Handlers throw BadParamError (→ 400 naming the parameter), HTTPException 404 for an unknown device, or
 * StoreError (→ 503); app.ts answers them all (error_response.ts).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  type ClashLedger,
  deviceById,
  type DeviceInfo,
  deviceIps,
  devicesOfSpan,
  deviceTopRemotes,
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  localPeriods,
  OTHER_DEVICE_ID,
  servicesOfSpan,
  setDeviceName,
  trafficByPeriod,
  type TrafficLedger,
} from "../../store/mod.ts";
import type { DeviceDetailJson, DeviceNameJson, DevicesJson } from "../api_types.ts";
import { devicesCsv, deviceUsageJson, type FileNameLookup } from "./device_json.ts";
import { type ClientDeviceLookup, deviceProxiedJson } from "./client_devices.ts";
import { nameBodyLimit, parseNameBody } from "./name_body.ts";
import { HOSTS_PER_SERVICE, servicesJson } from "./service_json.ts";
import { BadParamError, checkDateRange, parseChoice, parseDate, parseGranularity } from "./params.ts";
import { amountJson, pointJson, sumPeriods, topIpsJson } from "./traffic_json.ts";

/** Remotes listed on a device page (the rest is `other`). */
const DEVICE_TOP_REMOTES = 20;

/** What the device routes read. */
export interface DeviceRoutesDeps {
  readonly ledger: TrafficLedger;
  /** IANA zone of local dates (Config.timeZone). */
  readonly timeZone: string;
  /** Current UTC seconds (a seam for tests). */
  readonly nowSec: () => number;
  /** Names from DHCP leases, /etc/ethers and /etc/hosts (main.ts); absent, devices have only users' names. */
  readonly fileNames?: FileNameLookup;
  /** SERVICE_NAMES (issue 15); default on. */
  readonly serviceNames?: boolean;
  /** The proxy-client history and its IP → device map; absent, a device page has no `proxied`. */
  readonly proxied?: { readonly clashLedger: ClashLedger; readonly clientDevices: ClientDeviceLookup };
}

const DEVICE_ID_REGEXP = /^\d{1,9}$/;

/** The Devices API as a Hono app with full paths; mount with `app.route("/", deviceRoutes(deps))`. */
export function deviceRoutes(deps: DeviceRoutesDeps): Hono {
  const { ledger, timeZone } = deps;
  const naming = { fileNames: deps.fileNames ?? null };
  const nowSec = () => Math.floor(deps.nowSec());
  /** `start`..`end` local dates (default today) checked, as a half-open span of UTC seconds. */
  const range = (query: (name: string) => string | undefined) => {
    const end = parseDate(query("end"), "end", localDateOf(nowSec(), timeZone));
    const start = parseDate(query("start"), "start", end);
    checkDateRange(start, end, "day");
    return { start, end, fromSec: localDateStartSec(start, timeZone), toSec: localDateEndSec(end, timeZone) };
  };
  const app = new Hono();

  app.get("/api/devices", (c) => {
    const { start, end, fromSec, toSec } = range((name) => c.req.query(name));
    const format = parseChoice(c.req.query("format"), "format", ["json", "csv"], "json");
    const span = devicesOfSpan(ledger, fromSec, toSec);
    const now = nowSec();
    if (format === "csv") {
      c.header("Content-Type", "text/csv; charset=utf-8");
      c.header("Content-Disposition", `attachment; filename="netledger-devices-${start}-${end}.csv"`);
      return c.body(devicesCsv(span, now, naming));
    }
    const { upBytes, downBytes } = span.other;
    return c.json<DevicesJson>({
      devices: span.devices.map((d) => deviceUsageJson(d, now, naming)),
      other: { up_bytes: upBytes, down_bytes: downBytes, total_bytes: upBytes + downBytes },
    });
  });

  app.get("/api/devices/:id", (c) => {
    const device = knownDevice(ledger, c.req.param("id"));
    const granularity = parseGranularity(c.req.query("granularity"));
    const { start, end, fromSec, toSec } = range((name) => c.req.query(name));
    checkDateRange(start, end, granularity);
    const periods = trafficByPeriod(
      ledger,
      localPeriods(start, end, granularity, timeZone),
      { id: device.id!, key: device.key },
    );
    const totals = sumPeriods(periods);
    const usage = devicesOfSpan(ledger, fromSec, toSec).devices.find((d) => d.key === device.key);
    const ips = deviceIps(ledger, device.id!);
    // Named by every address it ever used, so a quiet range still shows the name /api/devices shows.
    const detailNaming = { ...naming, ips: ips.map((i) => i.ip) };
    const remotes = deviceTopRemotes(ledger, {
      deviceId: device.id!,
      deviceKey: device.key,
      fromSec,
      toSec,
      limit: DEVICE_TOP_REMOTES,
    });
    return c.json<DeviceDetailJson>({
      device: deviceUsageJson(usage ?? { ...device, ...totals, ips: [] }, nowSec(), detailNaming),
      summary: amountJson(totals),
      series: periods.map((p) => pointJson(p, granularity)),
      ips: ips.map((i) => ({
        ip: i.ip,
        first_seen: i.firstSeenSec,
        last_seen: i.lastSeenSec,
      })),
      services: servicesJson(
        servicesOfSpan(ledger, {
          fromSec,
          toSec,
          deviceId: device.id,
          limit: 20,
          hostLimit: HOSTS_PER_SERVICE,
        }),
        deps.serviceNames ?? true,
      ),
      top_remotes: topIpsJson(ledger, remotes.remotes, fromSec, toSec),
      top_remotes_other_bytes: remotes.other.upBytes + remotes.other.downBytes,
      ...deps.proxied && {
        proxied: deviceProxiedJson(deps.proxied.clashLedger, deps.proxied.clientDevices, {
          deviceId: device.id!,
          fromSec,
          toSec,
        }),
      },
    });
  });

  app.put(
    "/api/devices/:id/name",
    nameBodyLimit(),
    async (c) => {
      const id = parseDeviceId(c.req.param("id"), "id");
      if (id === OTHER_DEVICE_ID) {
        throw new BadParamError("id", String(id), "the id of a device (0 is other)");
      }
      const name = parseNameBody(await c.req.text());
      if (!setDeviceName(ledger, id, name)) throw noSuchDevice(id);
      return c.json<DeviceNameJson>({ id, name });
    },
  );

  return app;
}

/** A device id parameter: a whole number (0 is the `other` device). */
function parseDeviceId(value: string, parameter: string): number {
  if (!DEVICE_ID_REGEXP.test(value)) {
    throw new BadParamError(parameter, value, "a device id, a whole number as /api/devices lists it");
  }
  return Number(value);
}

/** The saved device of the `id` parameter `value`; HTTPException 404 when there is none. */
export function knownDevice(ledger: TrafficLedger, value: string, parameter = "id"): DeviceInfo {
  const id = parseDeviceId(value, parameter);
  const device = deviceById(ledger, id);
  if (device === null) throw noSuchDevice(id);
  return device;
}

function noSuchDevice(id: number): HTTPException {
  return new HTTPException(404, { message: `No device with id ${id}: /api/devices lists the ids` });
}
