import assert from "node:assert/strict";
import { Hono } from "hono";
import type { TrafficBatch } from "../../capture/mod.ts";
import { openStore, TrafficLedger } from "../../store/mod.ts";
import type { DeviceDetailJson, DevicesJson, ErrorJson, QueryJson } from "../api_types.ts";
import { NameFiles } from "../../names/mod.ts";
import type { FileNameLookup } from "./device_json.ts";
import { deviceRoutes } from "./device_routes.ts";
import { errorResponse } from "./error_response.ts";
import { trafficRoutes } from "./traffic_routes.ts";

const ZONE = "Asia/Kolkata";
/** 2024-06-15 12:00 IST. */
const NOW_SEC = Date.parse("2024-06-15T06:30:00Z") / 1000;
const PHONE = "3c:22:fb:00:00:07";
const TV = "00:11:22:33:44:55";

/** One bucket at `iso` whose devices ([key, up, down]) add up to its traffic; addresses seen at its start. */
function batch(
  iso: string,
  parts: readonly [string, number, number][],
  ips: [string, string][] = [],
): TrafficBatch {
  const bucketStartSec = Date.parse(iso) / 1000;
  const upBytes = parts.reduce((n, p) => n + p[1], 0);
  const downBytes = parts.reduce((n, p) => n + p[2], 0);
  return {
    traffic: [{
      bucketStartSec,
      family: 4,
      upBytes,
      downBytes,
      upPackets: parts.length,
      downPackets: parts.length,
    }],
    remotes: [],
    health: [],
    devices: parts.map(([deviceKey, up, down]) => ({
      bucketStartSec,
      deviceKey,
      upBytes: up,
      downBytes: down,
      upPackets: 1,
      downPackets: 1,
    })),
    deviceAddresses: ips.map(([deviceKey, ip]) => ({
      deviceKey,
      ip,
      firstSeenSec: bucketStartSec,
      lastSeenSec: bucketStartSec + 60,
    })),
  };
}

async function startApp(fileNames?: FileNameLookup) {
  const dir = await Deno.makeTempDir({ prefix: "netledger-devices-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  const ledger = new TrafficLedger(store);
  ledger.add(batch("2024-06-15T05:00:00Z", [[PHONE, 1000, 5000], [TV, 10, 90000], ["other", 7, 3]], [
    [PHONE, "192.168.1.20"],
    [TV, "192.168.1.30"],
  ]));
  ledger.add(batch("2024-06-14T18:15:00Z", [[PHONE, 40, 60]], [[PHONE, "2001:db8:1:100::aa"]])); // yesterday IST
  // Counted before devices existed: a batch without device rows is all "other".
  ledger.add({
    ...batch("2024-06-10T10:00:00Z", [[TV, 3, 4]]),
    devices: undefined,
    deviceAddresses: undefined,
  });
  await ledger.flush();
  // Unsaved; the randomised MAC was last seen 30 s ago (online), the phone's address only in saved rows.
  const unsaved = batch("2024-06-15T06:15:00Z", [[PHONE, 500, 0], ["da:a1:19:00:00:01", 1, 1]]);
  ledger.add({
    ...unsaved,
    deviceAddresses: [{
      deviceKey: "da:a1:19:00:00:01",
      ip: "192.168.1.40",
      firstSeenSec: NOW_SEC - 900,
      lastSeenSec: NOW_SEC - 30,
    }],
  });
  const deps = { ledger, timeZone: ZONE, nowSec: () => NOW_SEC, realtime: { samples: () => [] }, fileNames };
  const app = new Hono().route("/", trafficRoutes(deps)).route("/", deviceRoutes(deps));
  app.onError(errorResponse);
  return {
    app,
    [Symbol.asyncDispose]: async () => {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function json<T>(app: Hono, path: string, init?: RequestInit): Promise<[number, T]> {
  const res = await app.request(path, init);
  return [res.status, await res.json() as T];
}

Deno.test("GET /api/devices: devices plus other equal /api/query's summary byte for byte", async () => {
  await using server = await startApp();
  for (
    const [start, end] of [["2024-06-15", "2024-06-15"], ["2024-06-14", "2024-06-15"], [
      "2024-06-01",
      "2024-06-30",
    ]]
  ) {
    const [, devices] = await json<DevicesJson>(server.app, `/api/devices?start=${start}&end=${end}`);
    const [, query] = await json<QueryJson>(server.app, `/api/query?start=${start}&end=${end}`);
    const up = devices.devices.reduce((n, d) => n + d.up_bytes, devices.other.up_bytes);
    const down = devices.devices.reduce((n, d) => n + d.down_bytes, devices.other.down_bytes);
    assert.deepEqual([up, down], [query.summary.up_bytes, query.summary.down_bytes], `${start}..${end}`);
  }
  const [status, today] = await json<DevicesJson>(server.app, "/api/devices");
  assert.equal(status, 200);
  assert.deepEqual(
    today.devices.map((d) => [d.mac, d.up_bytes, d.down_bytes, d.ips, d.online, d.id === null]),
    [
      [TV, 10, 90000, ["192.168.1.30"], false, false],
      [PHONE, 1500, 5000, ["192.168.1.20"], false, false],
      ["da:a1:19:00:00:01", 1, 1, ["192.168.1.40"], true, true],
    ],
  );
  assert.deepEqual(today.other, { up_bytes: 7, down_bytes: 3, total_bytes: 10 });
  assert.equal(today.devices[2].is_randomized_mac, true);
  // The IEEE registry's names (npm oui-data); a randomised MAC has no maker.
  assert.deepEqual(today.devices.map((d) => d.vendor), ["CIMSYS Inc", "Apple, Inc.", null]);
});

Deno.test("GET /api/devices names a device by precedence: user, then DHCP lease, then /etc/ethers, then /etc/hosts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-device-names-" });
  const files = new NameFiles({
    leasePaths: [`${dir}/dhcp.leases`],
    ethersPath: `${dir}/ethers`,
    hostsPath: `${dir}/hosts`,
    log: () => {},
  });
  await using server = await startApp(files);
  const namesOf = async () => {
    await files.refresh();
    const [, list] = await json<DevicesJson>(server.app, "/api/devices");
    return Object.fromEntries(list.devices.map((d) => [d.mac, [d.name, d.name_source]]));
  };
  const rewrite = async (name: string, text: string, second: number) => {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    await Deno.utime(`${dir}/${name}`, second, second);
  };
  try {
    assert.deepEqual((await namesOf())[PHONE], [null, null]);
    await rewrite("hosts", "192.168.1.20 phone.lan\n192.168.1.30 tv.lan\n", 1);
    assert.deepEqual((await namesOf())[PHONE], ["phone.lan", "hosts"]);
    await rewrite("ethers", `${PHONE} phone-ethers\n`, 1);
    assert.deepEqual((await namesOf())[PHONE], ["phone-ethers", "ethers"]);
    await rewrite("dhcp.leases", `1718440000 ${PHONE} 192.168.1.20 <b>Annas-phone</b>\u0007 *\n`, 1);
    const named = await namesOf();
    assert.deepEqual(named[PHONE], ["<b>Annas-phone</b>", "dhcp"]);
    assert.deepEqual(named[TV], ["tv.lan", "hosts"]);
    const [, list] = await json<DevicesJson>(server.app, "/api/devices");
    const phone = list.devices.find((d) => d.mac === PHONE)!;
    await server.app.request(`/api/devices/${phone.id}/name`, { method: "PUT", body: '{"name":"Anna"}' });
    assert.deepEqual((await namesOf())[PHONE], ["Anna", "user"]);
    const [, detail] = await json<DeviceDetailJson>(server.app, `/api/devices/${phone.id}`);
    assert.deepEqual([detail.device.name, detail.device.name_source], ["Anna", "user"]);
    // Cleared by the user: the files' name is back.
    await server.app.request(`/api/devices/${phone.id}/name`, { method: "PUT", body: '{"name":null}' });
    assert.deepEqual((await namesOf())[PHONE], ["<b>Annas-phone</b>", "dhcp"]);
  } finally {
    files.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GET /api/devices?format=csv lists devices and other, names quoted and defused", async () => {
  await using server = await startApp();
  const [, list] = await json<DevicesJson>(server.app, "/api/devices");
  const tv = list.devices.find((d) => d.mac === TV)!;
  const put = await server.app.request(`/api/devices/${tv.id}/name`, {
    method: "PUT",
    body: JSON.stringify({ name: '=cmd, "TV"' }),
  });
  assert.equal(put.status, 200);
  const res = await server.app.request("/api/devices?format=csv");
  assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
  const lines = (await res.text()).trimEnd().split("\r\n");
  assert.equal(
    lines[0],
    "id,mac,name,name_source,ips,up_bytes,down_bytes,total_bytes,first_seen,last_seen,online",
  );
  assert.ok(
    lines[1].startsWith(`${tv.id},${TV},"'=cmd, ""TV""",user,192.168.1.30,10,90000,90010,`),
    lines[1],
  );
  assert.equal(lines.at(-1), "0,,other,,,7,3,10,,,false");
});

Deno.test("GET /api/devices/:id and /api/query?device= give the device's zero-filled series", async () => {
  await using server = await startApp();
  const [, list] = await json<DevicesJson>(server.app, "/api/devices?start=2024-06-14&end=2024-06-15");
  const phone = list.devices.find((d) => d.mac === PHONE)!;
  const [status, detail] = await json<DeviceDetailJson>(
    server.app,
    `/api/devices/${phone.id}?start=2024-06-14&end=2024-06-15&granularity=day`,
  );
  assert.equal(status, 200);
  assert.deepEqual(detail.series.map((p) => [p.up_bytes, p.down_bytes]), [[40, 60], [1500, 5000]]);
  assert.deepEqual([detail.summary.up_bytes, detail.summary.down_bytes], [phone.up_bytes, phone.down_bytes]);
  assert.deepEqual(detail.ips.map((i) => i.ip), ["192.168.1.20", "2001:db8:1:100::aa"]);
  const [, query] = await json<QueryJson>(
    server.app,
    `/api/query?start=2024-06-14&end=2024-06-15&granularity=day&device=${phone.id}`,
  );
  assert.deepEqual(query.series, detail.series);
  assert.deepEqual(query.summary, detail.summary);
  const [, other] = await json<QueryJson>(server.app, "/api/query?start=2024-06-01&end=2024-06-30&device=0");
  assert.deepEqual([other.summary.up_bytes, other.summary.down_bytes], [10, 7]);
});

Deno.test("Device routes answer 400 naming a bad id, 404 for an unknown one", async () => {
  await using server = await startApp();
  for (const [path, parameter] of [["/api/devices/abc", "id"], ["/api/query?device=-1", "device"]] as const) {
    const [status, body] = await json<ErrorJson>(server.app, path);
    assert.equal(status, 400, path);
    assert.match(body.error, new RegExp(`"${parameter}"`));
  }
  const [status, body] = await json<ErrorJson>(server.app, "/api/devices/9999");
  assert.equal(status, 404);
  assert.match(body.error, /No device with id 9999/);
  assert.equal((await server.app.request("/api/query?device=9999")).status, 404);
  assert.equal((await server.app.request("/api/devices?start=2024-13-01")).status, 400);
});

Deno.test("PUT /api/devices/:id/name stores a short printable name and refuses anything else", async () => {
  await using server = await startApp();
  const [, list] = await json<DevicesJson>(server.app, "/api/devices");
  const id = list.devices.find((d) => d.mac === PHONE)!.id;
  const put = (target: string, body: string) =>
    server.app.request(`/api/devices/${target}/name`, { method: "PUT", body });
  assert.deepEqual(await (await put(String(id), '{"name": " Anna\'s phone "}')).json(), {
    id,
    name: "Anna's phone",
  });
  const [, named] = await json<DevicesJson>(server.app, "/api/devices");
  const phone = named.devices.find((d) => d.mac === PHONE)!;
  assert.deepEqual([phone.name, phone.name_source], ["Anna's phone", "user"]);
  for (
    const bad of [
      '{"name": "a\\u0000b"}',
      '{"name": "tab\\there"}',
      JSON.stringify({ name: "x".repeat(65) }),
      "{",
    ]
  ) {
    const res = await put(String(id), bad);
    assert.equal(res.status, 400, bad);
  }
  assert.equal((await put(String(id), JSON.stringify({ name: "x".repeat(5000) }))).status, 413);
  assert.equal((await put("0", '{"name": "x"}')).status, 400);
  assert.equal((await put("9999", '{"name": "x"}')).status, 404);
  assert.deepEqual(await (await put(String(id), '{"name": null}')).json(), { id, name: null });
});
