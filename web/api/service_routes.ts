/**
 * The Services API (issue 15): bytes per registrable domain over a range of local dates, for the box or one
 * device. services + unknown + other equal the range's total (of the device with `device=`), byte for byte
 * (store/service_queries.ts). Handlers throw BadParamError (→ 400 naming the parameter), HTTPException 404
 * for an unknown device, or StoreError (→ 503); app.ts answers them all (error_response.ts).
 */
import { Hono } from "hono";
import {
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  servicesOfSpan,
  type TrafficLedger,
} from "../../store/mod.ts";
import type { ServicesJson } from "../api_types.ts";
import { knownDevice } from "./device_routes.ts";
import { checkDateRange, parseChoice, parseDate, parseLimit } from "./params.ts";
import { HOSTS_PER_SERVICE, servicesCsv, servicesJson } from "./service_json.ts";

/** Services listed by default, and at most. */
export const DEFAULT_SERVICES_LIMIT = 50;
export const MAX_SERVICES_LIMIT = 1000;

/** What the service routes read. */
export interface ServiceRoutesDeps {
  readonly ledger: TrafficLedger;
  readonly timeZone: string;
  readonly nowSec: () => number;
  /** SERVICE_NAMES; default on. */
  readonly serviceNames?: boolean;
}

/** GET /api/services as a Hono app with full paths; mount with `app.route("/", serviceRoutes(deps))`. */
export function serviceRoutes(deps: ServiceRoutesDeps): Hono {
  const { ledger, timeZone } = deps;
  const app = new Hono();
  app.get("/api/services", (c) => {
    const end = parseDate(c.req.query("end"), "end", localDateOf(Math.floor(deps.nowSec()), timeZone));
    const start = parseDate(c.req.query("start"), "start", end);
    checkDateRange(start, end, "day");
    const limit = parseLimit(c.req.query("limit"), {
      fallback: DEFAULT_SERVICES_LIMIT,
      max: MAX_SERVICES_LIMIT,
    });
    const format = parseChoice(c.req.query("format"), "format", ["json", "csv"], "json");
    const deviceParam = c.req.query("device");
    const deviceId = deviceParam === undefined || deviceParam === ""
      ? null
      : knownDevice(ledger, deviceParam, "device").id;
    const span = servicesOfSpan(ledger, {
      fromSec: localDateStartSec(start, timeZone),
      toSec: localDateEndSec(end, timeZone),
      deviceId,
      limit,
      hostLimit: HOSTS_PER_SERVICE,
    });
    if (format === "csv") {
      c.header("Content-Type", "text/csv; charset=utf-8");
      c.header("Content-Disposition", `attachment; filename="netledger-services-${start}-${end}.csv"`);
      return c.body(servicesCsv(span));
    }
    return c.json<ServicesJson>(servicesJson(span, deps.serviceNames ?? true));
  });
  return app;
}
