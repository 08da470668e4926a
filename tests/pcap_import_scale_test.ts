/**
 * `main.ts --pcap` at scale (issue 17 item 3): a file with more (bucket, remote) pairs than one save holds keeps
 * every remote, and an import killed with SIGKILL after a save continues on the next run to exact totals,
 * counted once.
 */
import assert from "node:assert/strict";
import { buildFrame, ipPacket } from "./helpers/frames.ts";
import { type CaptureRecord, writeCaptureFile } from "./helpers/pcap_writer.ts";
import { childEnv, followOutput, importPcap, ROOT_DIR, startMain } from "./helpers/run_main.ts";

const LOCAL_V6 = "2001:db8:1:1::10";
const REMOTES = 600;
const PAYLOAD_BYTES = 60;
const IP_BYTES = 40 + PAYLOAD_BYTES;
/** Yesterday's first UTC quarter-hour, inside every retention window. */
const START_SEC = Math.floor(Date.now() / 86_400_000 - 1) * 86_400;

/** One download from each of REMOTES addresses in each of `buckets` quarter-hours: REMOTES × buckets pairs. */
function records(buckets: number): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  for (let b = 0; b < buckets; b++) {
    for (let r = 1; r <= REMOTES; r++) {
      const packet = ipPacket({
        src: `2001:db8:ff::${r.toString(16)}`,
        dst: LOCAL_V6,
        payloadBytes: PAYLOAD_BYTES,
      });
      out.push({ frame: buildFrame("ethernet", packet), timestampSec: START_SEC + b * 900 + 1 });
    }
  }
  return out;
}

interface TopIps {
  top_ips: { ip: string; bytes: number }[];
  other_bytes: number;
}

/** Every remote with its exact bytes and nothing in `other`, from the served database. */
async function assertEveryRemoteKept(env: Record<string, string>, buckets: number): Promise<void> {
  const server = await startMain({ flags: ["-A"], env });
  try {
    const top = await (await fetch(`${server.baseUrl}/api/top_ips?limit=1000`)).json() as TopIps;
    assert.equal(top.other_bytes, 0);
    assert.equal(top.top_ips.length, REMOTES);
    for (const row of top.top_ips) assert.equal(row.bytes, buckets * IP_BYTES, row.ip);
  } finally {
    await server.stop();
  }
}

function envOf(dir: string): Record<string, string> {
  return childEnv({ DB_PATH: `${dir}/netledger.db`, TZ: "UTC", LOCAL_IPS: LOCAL_V6, BIND: "127.0.0.1" });
}

Deno.test("main.ts --pcap keeps every remote of a file with more (bucket, remote) pairs than a save holds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-scale-" });
  try {
    const buckets = 100; // 60,000 pairs: more than the ledger's 50,000 unsaved rows
    await writeCaptureFile(`${dir}/big.pcap`, records(buckets), { format: "pcap" });
    const { code, output } = await importPcap(envOf(dir), `${dir}/big.pcap`);
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`${REMOTES * buckets} counted`));
    assert.match(output, /[1-9]\d* rows written/);
    await assertEveryRemoteKept(envOf(dir), buckets);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --pcap killed after a save continues on the next run to exact totals, once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-resume-" });
  const env = envOf(dir);
  try {
    // 300 buckets: about eleven saves, so the kill after the first lands while most of the file is unread.
    const buckets = 300;
    const path = `${dir}/long.pcap`;
    await writeCaptureFile(path, records(buckets), { format: "pcap" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "--pcap", path],
      cwd: ROOT_DIR,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = followOutput(child);
    await output.waitForLine(/^.*Saved traffic to /);
    child.kill("SIGKILL");
    const killed = await output.exited;
    assert.equal(killed.signal, "SIGKILL", output.lines().join("\n"));

    const resumed = await importPcap(env, path);
    assert.equal(resumed.code, 0, resumed.output);
    assert.match(resumed.output, /continued after the [1-9]\d* packets an interrupted import saved/);
    const again = await importPcap(env, path);
    assert.equal(again.code, 1);
    assert.match(again.output, /already counted/);
    await assertEveryRemoteKept(env, buckets);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
