/**
 * Storage faults of the whole program (issue #6 item 8), as root, with main.ts capturing injected frames on a
 * veth pair: a full disk (a tiny tmpfs mounted by the test), a file system that turns read-only (ext4 on a
 * loop device, errors=remount-ro, tripped through sysfs), a write lock held by another process, and a
 * damaged database at startup. Counting goes on in memory, each condition is logged once, nothing is counted
 * twice when writes come back, and a damaged file is never replaced.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openStore } from "../store/mod.ts";
import { startFramePump } from "./helpers/frame_pump.ts";
import { createVethPair, run } from "./helpers/netns.ts";
import {
  addTotals,
  apiInNetns,
  type NetledgerChild,
  ROUND,
  SAVE_INTERVAL_SEC,
  startNetledgerInNetns,
  storedTotals,
  type Totals,
  ZERO,
} from "./helpers/netledger_rig.ts";
import { childEnv, ROOT_DIR } from "./helpers/run_main.ts";

const isRoot = Deno.uid() === 0;
const hasLoopDevices = isRoot &&
  await Promise.all(["/dev/loop-control", "/usr/sbin/mkfs.ext4"].map((p) => Deno.stat(p))).then(
    () => true,
    () => false,
  );
if (!isRoot) console.warn("Skipping the storage fault tests: they need root (mounts, namespaces, AF_PACKET)");
if (isRoot && !hasLoopDevices) console.warn("Skipping the read-only test: no loop devices or mkfs.ext4 here");

const TICK_MS = 200;
const ROUNDS_PER_TICK = 5;
/** Lines the ledger writes once per condition and once on recovery. */
const KEPT_IN_MEMORY_REGEXP = /counts stay in memory/;
const WORKS_AGAIN_REGEXP = /works again/;
/** The ledger's lines when a save meets another process's write lock, and when a retry then commits it. */
const LOCK_MET_REGEXP = /Saving traffic to ".*" found the database locked by another process; retrying/;
const SAVED_ON_RETRY_REGEXP = /Saved traffic to ".*" on retry \d+:/;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Polls `probe` every 250 ms until it returns true; throws `what` after `timeoutMs`. */
async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await delay(250);
  }
}

/** A veth pair, a pump and a running netledger whose database lives at `dbPath`; `sent` is the truth. */
interface Scene {
  readonly ns: string;
  readonly netledger: NetledgerChild;
  readonly dbPath: string;
  sent: Totals;
  /** Injects for `seconds`, adding to `sent`. */
  inject(seconds: number): Promise<void>;
  /** Injects until `event` settles, adding to `sent`; resolves with its value after the tick in flight. */
  injectUntil<T>(event: Promise<T>): Promise<T>;
}

async function withScene(dbPath: string, body: (scene: Scene) => Promise<void>): Promise<void> {
  await using pair = await createVethPair();
  await using pump = await startFramePump(pair.peerNs, pair.peerIface, ROUND.frames);
  const netledger = await startNetledgerInNetns(pair.captureNs, dbPath);
  const scene: Scene = {
    ns: pair.captureNs,
    netledger,
    dbPath,
    sent: ZERO,
    async inject(seconds) {
      await scene.injectUntil(delay(seconds * 1000));
    },
    async injectUntil(event) {
      let isSettled = false;
      const settled = event.finally(() => isSettled = true);
      // Awaited below; without this, a rejection during a tick would count as unhandled.
      settled.catch(() => {});
      while (!isSettled) {
        const tickStartMs = performance.now();
        await pump.send(ROUNDS_PER_TICK);
        scene.sent = addTotals(scene.sent, ROUND.totals, ROUNDS_PER_TICK);
        await Promise.race([delay(tickStartMs + TICK_MS - performance.now()), settled]);
      }
      return await settled;
    },
  };
  try {
    await body(scene);
  } finally {
    netledger.kill("SIGKILL");
    await netledger.exited;
  }
}

/** Public bytes netledger reports over yesterday and today (stored plus in memory), from its own API. */
async function reportedBytes(ns: string): Promise<{ up: number; down: number }> {
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const body = await apiInNetns(ns, `/api/query?start=${yesterday}&end=${today}&granularity=day`) as {
    summary: { up_bytes: number; down_bytes: number };
  };
  return { up: body.summary.up_bytes, down: body.summary.down_bytes };
}

const isSaved = (scene: Scene) => () => storedTotals(scene.dbPath).upBytes === scene.sent.upBytes;

/** Lines from `from` on that match `pattern`. */
const linesMatching = (scene: Scene, pattern: RegExp, from: number) =>
  scene.netledger.lines().slice(from).filter((l) => pattern.test(l));

/**
 * The common course of a storage fault: save normally, break storage, keep injecting for three save intervals
 * (counts stay in memory, one log line), and check what the API reports. Returns the line index where the
 * fault began.
 */
async function runFault(
  scene: Scene,
  breakStorage: () => void | Promise<void>,
  conditionRegExp: RegExp,
  options: { isStoreReadable: boolean } = { isStoreReadable: true },
): Promise<number> {
  await scene.inject(2);
  await waitUntil(isSaved(scene), "the first traffic is saved", 4 * SAVE_INTERVAL_SEC * 1000);
  const savedBefore = storedTotals(scene.dbPath);
  const from = scene.netledger.lines().length;
  await breakStorage();
  await scene.inject(3 * SAVE_INTERVAL_SEC);
  await scene.netledger.waitForLine(KEPT_IN_MEMORY_REGEXP, { from, timeoutMs: 2 * SAVE_INTERVAL_SEC * 1000 });
  const conditionLines = scene.netledger.lines().slice(from).filter((l) => conditionRegExp.test(l));
  assert.equal(conditionLines.length, 1, `one line for the condition, got:\n${conditionLines.join("\n")}`);
  assert.equal(linesMatching(scene, KEPT_IN_MEMORY_REGEXP, from).length, 1);
  // The capture Worker hands its counts over about once a second: wait for the last of them.
  await waitUntil(
    async () => {
      const reported = await reportedBytes(scene.ns);
      return reported.up === scene.sent.upBytes && reported.down === scene.sent.downBytes;
    },
    "the API reports every byte sent (stored plus in memory)",
    10_000,
  );
  if (options.isStoreReadable) assert.deepEqual(storedTotals(scene.dbPath), savedBefore);
  return from;
}

/** After the fault is lifted: one recovery line, everything saved exactly once, and a clean SIGTERM. */
async function assertRecovers(scene: Scene, from: number): Promise<void> {
  await scene.inject(1);
  await scene.netledger.waitForLine(WORKS_AGAIN_REGEXP, { from, timeoutMs: 3 * SAVE_INTERVAL_SEC * 1000 });
  await waitUntil(isSaved(scene), "everything is saved", 3 * SAVE_INTERVAL_SEC * 1000);
  assert.deepEqual(storedTotals(scene.dbPath), scene.sent);
  scene.netledger.kill("SIGTERM");
  assert.equal((await scene.netledger.exited).code, 0);
  assert.deepEqual(storedTotals(scene.dbPath), scene.sent, "nothing counted twice, nothing lost");
  assert.equal(linesMatching(scene, WORKS_AGAIN_REGEXP, from).length, 1);
}

Deno.test({
  name:
    "a full database disk (tiny tmpfs) keeps counting in memory, says so once, and saves it all when space returns",
  ignore: !isRoot,
  sanitizeResources: false,
  async fn() {
    const mountDir = await Deno.makeTempDir({ prefix: "nl-full-" });
    await run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mountDir]);
    try {
      await withScene(`${mountDir}/netledger.db`, async (scene) => {
        const filler = `${mountDir}/filler`;
        const fill = async () => {
          // dd stops with "No space left on device": that is the point.
          await new Deno.Command("dd", { args: ["if=/dev/zero", `of=${filler}`, "bs=64k"], stderr: "null" })
            .output();
        };
        const from = await runFault(scene, fill, /disk is full/);
        await Deno.remove(filler);
        await assertRecovers(scene, from);
      });
    } finally {
      await run(["umount", mountDir]);
      await Deno.remove(mountDir);
    }
  },
});

Deno.test({
  name: "a database file system that turns read-only keeps counting in memory and says so once",
  ignore: !hasLoopDevices,
  sanitizeResources: false,
  async fn() {
    const workDir = await Deno.makeTempDir({ prefix: "nl-ro-" });
    const image = `${workDir}/fs.img`;
    const mountDir = `${workDir}/mnt`;
    await Deno.mkdir(mountDir);
    await run(["truncate", "-s", "32M", image]);
    await run(["mkfs.ext4", "-q", "-F", image]);
    await run(["mount", "-o", "loop,errors=remount-ro", image, mountDir]);
    const device = (await run(["findmnt", "-n", "-o", "SOURCE", mountDir])).trim();
    try {
      await withScene(`${mountDir}/netledger.db`, async (scene) => {
        // What a failing disk does: ext4 records an error and remounts read-only under the open database.
        const tripReadOnly = () =>
          Deno.writeTextFile(`/sys/fs/ext4/${device.replace("/dev/", "")}/trigger_fs_error`, "1");
        // Writes to the open file now fail with EROFS, which SQLite reports as "disk I/O error".
        await runFault(scene, tripReadOnly, /I\/O error|read-only|readonly/, { isStoreReadable: false });
        // Kernels mark this state "ro" or, since 6.x, "emergency_ro" beside "rw".
        assert.match(
          await Deno.readTextFile("/proc/mounts"),
          new RegExp(`${mountDir} ext4 (ro,|\\S*emergency_ro)`),
        );
      });
    } finally {
      await run(["umount", mountDir]);
      await Deno.remove(workDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a write lock held by another process: short ones are waited out, a long one keeps counts in memory until it ends",
  ignore: !isRoot,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "nl-lock-" });
    try {
      await withScene(`${dir}/netledger.db`, async (scene) => {
        await scene.inject(2);
        await waitUntil(isSaved(scene), "the first traffic is saved", 4 * SAVE_INTERVAL_SEC * 1000);
        const locker = new DatabaseSync(scene.dbPath);
        try {
          locker.exec("PRAGMA busy_timeout = 10000");
          // Short locks: each is held until a save meets it (the ledger says so before it pauses to retry) and
          // released at that line, so only a retry can commit that save. Traffic keeps flowing, so every save
          // has rows to write; the ledger's retries last seconds, far longer than reading a line takes.
          const from = scene.netledger.lines().length;
          const savedBefore = storedTotals(scene.dbPath);
          for (let i = 0; i < 2; i++) {
            const lockFrom = scene.netledger.lines().length;
            locker.exec("BEGIN IMMEDIATE");
            await scene.injectUntil(
              scene.netledger.waitForLine(LOCK_MET_REGEXP, {
                from: lockFrom,
                timeoutMs: 4 * SAVE_INTERVAL_SEC * 1000,
              }).then(() => locker.exec("ROLLBACK")),
            );
            const outcome = await scene.netledger.waitForLine(
              new RegExp(`${SAVED_ON_RETRY_REGEXP.source}|${KEPT_IN_MEMORY_REGEXP.source}`),
              { from: lockFrom },
            );
            assert.match(outcome, SAVED_ON_RETRY_REGEXP, scene.netledger.lines().slice(lockFrom).join("\n"));
          }
          assert.equal(
            linesMatching(scene, KEPT_IN_MEMORY_REGEXP, from).length,
            0,
            scene.netledger.lines().join("\n"),
          );
          assert.ok(
            storedTotals(scene.dbPath).upBytes > savedBefore.upBytes,
            "saves went through the short locks",
          );
          // One long lock across three saves.
          const longFrom = await runFault(
            scene,
            () => locker.exec("BEGIN IMMEDIATE"),
            /another process holds the write lock/,
          );
          locker.exec("ROLLBACK");
          await assertRecovers(scene, longFrom);
        } finally {
          locker.close();
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Runs main.ts on `dbPath` and returns its exit code and output; bounded to 60 s. */
async function startOn(dbPath: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT_DIR,
    clearEnv: true,
    env: childEnv({
      DB_PATH: dbPath,
      BIND: "127.0.0.1",
      WEB_PORT: "0",
      MONITOR_IFACE: "lo",
      TZ: "UTC",
    }),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code, output: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

async function sha256Hex(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("a damaged database at startup is refused with a clear message and left untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nl-corrupt-" });
  try {
    const goodPath = `${dir}/good.db`;
    const store = openStore(goodPath, { log: () => {} });
    store.db.exec("PRAGMA journal_mode = DELETE");
    store.close();
    const good = await Deno.readFile(goodPath);
    assert.ok(good.byteLength >= 3 * 4096, `a database of several pages (${good.byteLength} bytes)`);
    const damaged = good.slice();
    damaged.fill(0xab, 4096, 2 * 4096);
    const cases: [string, Uint8Array][] = [
      ["a garbled table page", damaged],
      ["random bytes", crypto.getRandomValues(new Uint8Array(16384))],
      ["a file cut in half", good.slice(0, good.byteLength / 2)],
    ];
    for (const [name, bytes] of cases) {
      const path = `${dir}/${name.replaceAll(" ", "_")}.db`;
      await Deno.writeFile(path, bytes);
      const before = await sha256Hex(path);
      const { code, output } = await startOn(path);
      assert.notEqual(code, 0, `${name}: started anyway:\n${output}`);
      assert.match(output, /damaged|not a netledger database|corrupt/i, name);
      assert.ok(output.includes(path), `${name}: the message names the file:\n${output}`);
      assert.doesNotMatch(output, /Serving the dashboard/, name);
      assert.equal(await sha256Hex(path), before, `${name}: the file was changed`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
