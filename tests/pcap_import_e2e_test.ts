/**
 * End to end (issue #2 item 8): write capture files with known truth, import them through main.ts --pcap,
 * serve the database with main.ts and compare /api/query byte for byte with the answer built from the truth.
 */
import assert from "node:assert/strict";
import { buildFrame, type Encapsulation, type Frame, ipPacket, truncateFrame } from "./helpers/frames.ts";
import { writeCaptureFile } from "./helpers/pcap_writer.ts";
import { childEnv, importPcap, startMain } from "./helpers/run_main.ts";

const ZONE = "Asia/Kathmandu"; // +05:45: local hours straddle UTC quarter hours
const LOCAL_V4 = "192.0.2.10"; // the box's own public address (documentation range)
const LOCAL_V6 = "2001:db8:1:1::10"; // its GUA; the auto LAN prefix is 2001:db8:1::/56
const LOCAL_IPS = `${LOCAL_V4},${LOCAL_V6}`;

interface TruthCase {
  readonly name: string;
  readonly encapsulation: Encapsulation;
  readonly src: string;
  readonly dst: string;
  readonly payloadBytes: number;
  /** "up"/"down": counted with this direction; null: not counted (LAN, multicast, malformed). */
  readonly direction: "up" | "down" | null;
  readonly isMalformed?: boolean;
}

const CASES: readonly TruthCase[] = [
  {
    name: "v4 LAN host uploads",
    encapsulation: "ethernet",
    src: "192.168.1.20",
    dst: "203.0.113.5",
    payloadBytes: 1000,
    direction: "up",
  },
  {
    name: "v4 download to the box",
    encapsulation: "ethernet",
    src: "198.51.100.7",
    dst: LOCAL_V4,
    payloadBytes: 1400,
    direction: "down",
  },
  {
    name: "v4 VLAN upload",
    encapsulation: "vlan",
    src: "10.0.0.3",
    dst: "198.51.100.9",
    payloadBytes: 300,
    direction: "up",
  },
  {
    name: "v4 QinQ download",
    encapsulation: "qinq",
    src: "203.0.113.77",
    dst: "172.16.4.4",
    payloadBytes: 800,
    direction: "down",
  },
  {
    name: "v4 PPPoE upload",
    encapsulation: "pppoe",
    src: LOCAL_V4,
    dst: "203.0.113.200",
    payloadBytes: 512,
    direction: "up",
  },
  {
    name: "v6 PPPoE download",
    encapsulation: "pppoe",
    src: "2001:db8:ff::1",
    dst: LOCAL_V6,
    payloadBytes: 1200,
    direction: "down",
  },
  {
    name: "v6 LAN device upload (inside the /56)",
    encapsulation: "ethernet",
    src: "2001:db8:1:2::5",
    dst: "2001:db8:aa::1",
    payloadBytes: 640,
    direction: "up",
  },
  {
    name: "v6 same-/56 is LAN",
    encapsulation: "ethernet",
    src: "2001:db8:1:2::5",
    dst: "2001:db8:1:1::10",
    payloadBytes: 900,
    direction: null,
  },
  {
    name: "v4 LAN only",
    encapsulation: "ethernet",
    src: "192.168.1.20",
    dst: "192.168.1.1",
    payloadBytes: 1200,
    direction: null,
  },
  {
    name: "v4 mDNS multicast",
    encapsulation: "ethernet",
    src: "192.168.1.20",
    dst: "224.0.0.251",
    payloadBytes: 200,
    direction: null,
  },
  {
    name: "v6 multicast",
    encapsulation: "ethernet",
    src: "fe80::1",
    dst: "ff02::fb",
    payloadBytes: 200,
    direction: null,
  },
  {
    name: "v4 both public, neither local",
    encapsulation: "ethernet",
    src: "198.51.100.1",
    dst: "203.0.113.1",
    payloadBytes: 100,
    direction: null,
  },
  {
    name: "truncated IPv4",
    encapsulation: "ethernet",
    src: "192.168.1.20",
    dst: "203.0.113.5",
    payloadBytes: 500,
    direction: null,
    isMalformed: true,
  },
];

/** Two local days around a Kathmandu midnight, spread over several local hours. */
const START_SEC = Date.UTC(2026, 2, 9, 16, 0, 0) / 1000; // 2026-03-09 21:45 local
const TIMESTAMPS = [0, 1_000, 2_400, 5_100, 7_777].map((offset) => START_SEC + offset);

function frameOf(c: TruthCase): Frame {
  const frame = buildFrame(
    c.encapsulation,
    ipPacket({ src: c.src, dst: c.dst, payloadBytes: c.payloadBytes }),
  );
  return c.isMalformed ? truncateFrame(frame, 30) : frame;
}

function ipBytesOf(c: TruthCase): number {
  return (c.src.includes(":") ? 40 : 20) + c.payloadBytes;
}

function localHourLabel(tsSec: number): string {
  const z = Temporal.Instant.fromEpochMilliseconds(tsSec * 1000).toZonedDateTimeISO(ZONE);
  return `${z.toPlainDate()} ${String(z.hour).padStart(2, "0")}:00`;
}

function fmt(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

/** The /api/query?granularity=hour body that the truth implies, built independently of netledger's code. */
function expectedHourQuery(startDate: string, endDate: string): string {
  const perHour = new Map<string, { up: number; down: number; packets: number }>();
  for (const ts of TIMESTAMPS) {
    for (const c of CASES) {
      if (c.direction === null) continue;
      const label = localHourLabel(ts);
      const row = perHour.get(label) ?? { up: 0, down: 0, packets: 0 };
      if (c.direction === "up") row.up += ipBytesOf(c);
      else row.down += ipBytesOf(c);
      row.packets++; // each case is one frame
      perHour.set(label, row);
    }
  }
  const series = [];
  let up = 0;
  let down = 0;
  let hour = Temporal.PlainDate.from(startDate).toZonedDateTime({ timeZone: ZONE });
  const end = Temporal.PlainDate.from(endDate).add({ days: 1 }).toZonedDateTime({ timeZone: ZONE });
  while (Temporal.ZonedDateTime.compare(hour, end) < 0) {
    const label = `${hour.toPlainDate()} ${String(hour.hour).padStart(2, "0")}:00`;
    const row = perHour.get(label) ?? { up: 0, down: 0, packets: 0 };
    up += row.up;
    down += row.down;
    series.push({
      hour: label,
      hour_ts: `${label}:00`,
      up_bytes: row.up,
      down_bytes: row.down,
      total_bytes: row.up + row.down,
      dropped_packets: 0,
      packets: row.packets,
    });
    hour = hour.add({ hours: 1 });
  }
  const summary = {
    up_bytes: up,
    down_bytes: down,
    total_bytes: up + down,
    up_fmt: fmt(up),
    down_fmt: fmt(down),
    total_fmt: fmt(up + down),
  };
  return JSON.stringify({ summary, series });
}

async function importFile(env: Record<string, string>, path: string, expectedCode = 0): Promise<string> {
  const { code, output } = await importPcap(env, path);
  assert.equal(code, expectedCode, output);
  return output;
}

Deno.test("main.ts --pcap imports pcap and pcapng once each and /api/query matches the truth byte for byte", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-e2e-" });
  const env = childEnv({
    DB_PATH: `${dir}/netledger.db`,
    TZ: ZONE,
    LOCAL_IPS,
    BIND: "127.0.0.1",
    MONITOR_IFACE: "lo",
  });
  try {
    // The first half of the timestamps goes into a pcap, the rest into a pcapng: both readers, one history.
    const records = TIMESTAMPS.flatMap((ts) =>
      CASES.map((c) => ({ frame: frameOf(c), timestampSec: ts + 0.25 }))
    );
    const half = CASES.length * 2;
    await writeCaptureFile(`${dir}/a.pcap`, records.slice(0, half), { format: "pcap" });
    await writeCaptureFile(`${dir}/b.pcapng`, records.slice(half), { format: "pcapng" });
    const firstOutput = await importFile(env, `${dir}/a.pcap`);
    const malformedInFirst = 2; // one truncated frame per timestamp, two timestamps in a.pcap
    assert.match(firstOutput, new RegExp(`${malformedInFirst} malformed`));
    await importFile(env, `${dir}/b.pcapng`);
    // The same bytes again, under another name: refused, so the query below proves nothing was added.
    await Deno.copyFile(`${dir}/a.pcap`, `${dir}/a-copy.pcap`);
    assert.match(await importFile(env, `${dir}/a-copy.pcap`, 1), /was imported at .* already counted/);

    const server = await startMain({ flags: ["-A"], env });
    try {
      const startDate = "2026-03-09";
      const endDate = "2026-03-10";
      const res = await fetch(
        `${server.baseUrl}/api/query?start=${startDate}&end=${endDate}&granularity=hour`,
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal(await res.text(), expectedHourQuery(startDate, endDate));

      const top =
        await (await fetch(`${server.baseUrl}/api/top_ips?start=${startDate}&end=${endDate}&limit=3`))
          .json() as { top_ips: { ip: string; bytes: number }[] };
      const perRemote = new Map<string, number>();
      for (const c of CASES) {
        if (c.direction === null) continue;
        const remote = c.direction === "up" ? c.dst : c.src;
        perRemote.set(remote, (perRemote.get(remote) ?? 0) + ipBytesOf(c) * TIMESTAMPS.length);
      }
      const expectedTop = [...perRemote].sort((a, b) => b[1] - a[1]).slice(0, 3);
      assert.deepEqual(top.top_ips.map((r) => [r.ip, r.bytes]), expectedTop);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
