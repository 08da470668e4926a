/**
 * Proof that the compiled executable's permissions suffice and that nothing outside the module graph is read:
 * main.ts runs from source with exactly the flags `deno task compile` bakes in (packaging/permissions.ts),
 * its data directory swapped for a temp dir and its module read access narrowed to the files of the Worker
 * module graphs. It serves the dashboard (loaded in headless Chromium) and every API route, makes a backup,
 * and shuts down cleanly; Deno's permission audit log (DENO_AUDIT_PERMISSIONS) then lists every path it read.
 */
import assert from "node:assert/strict";
import { findWorkerModules, localModuleGraph, NAME_FILE_PATHS, permissionFlags } from "../packaging/mod.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { childEnv, ROOT_DIR, startMain } from "./helpers/run_main.ts";

/** API routes that answer 200 on an empty database with default parameters. */
const API_PATHS = [
  "/api/health",
  "/api/summary",
  "/api/query?start=2026-01-01&end=2026-01-31&granularity=day",
  "/api/history/30days",
  "/api/history/12months",
  "/api/history/today_hours",
  "/api/date_range",
  "/api/top_ips",
  "/api/realtime",
  "/api/debug/local_ips",
  "/api/session",
  "/metrics",
];

interface AuditEntry {
  readonly permission: string;
  readonly value: string | null;
}

async function readAudit(path: string): Promise<AuditEntry[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as AuditEntry);
}

/** The local files a page references (src= and href= starting with "/"), without the page itself. */
function referencedAssets(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]).filter((p) => p !== "/");
}

Deno.test({
  name: "main.ts serves the dashboard, the API and a backup with exactly the compiled permissions",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "nl-perm-" });
    const workerFiles = (await Promise.all((await findWorkerModules(ROOT_DIR)).map(localModuleGraph))).flat();
    const flags = permissionFlags({ dataDirs: [dataDir], moduleReadPaths: workerFiles });
    const auditPath = `${await Deno.makeTempDir({ prefix: "nl-audit-" })}/audit.jsonl`;
    const main = await startMain({
      flags,
      env: childEnv({
        DB_PATH: `${dataDir}/netledger.db`,
        BIND: "127.0.0.1",
        MONITOR_IFACE: "lo",
        RING_MB: "1",
        TZ: "Europe/Berlin",
        DENO_AUDIT_PERMISSIONS: auditPath,
      }),
    });
    try {
      const page = await fetch(`${main.baseUrl}/`);
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(html, /<html/i);
      const assets = referencedAssets(html);
      assert.ok(assets.length > 0, "the page references its bundle");
      for (const asset of assets) {
        const response = await fetch(`${main.baseUrl}${asset}`);
        await response.body?.cancel();
        assert.equal(response.status, 200, asset);
      }
      await using browser = await launchDashboardBrowser();
      const problems: string[] = [];
      watchProblems(browser.page, problems);
      await browser.page.goto(`${main.baseUrl}/`);
      await waitForDashboard(browser.page);
      assert.deepEqual(problems, [], "the dashboard loads without a failed request or console error");
      for (const path of API_PATHS) {
        const response = await fetch(`${main.baseUrl}${path}`);
        const body = await response.text();
        assert.equal(response.status, 200, `${path}: ${body}`);
      }
      const backup = await fetch(`${main.baseUrl}/api/backup`);
      const bytes = new Uint8Array(await backup.arrayBuffer());
      assert.equal(backup.status, 200);
      assert.equal(new TextDecoder().decode(bytes.subarray(0, 15)), "SQLite format 3");
    } finally {
      const status = await main.stop("SIGTERM");
      const output = main.output();
      await Deno.remove(dataDir, { recursive: true });
      assert.doesNotMatch(output, /NotCapable|Requires \w+ access|PermissionDenied/, output);
      assert.equal(status.code, 0, output);
    }
    const audit = await readAudit(auditPath);
    await Deno.remove(auditPath.replace(/\/audit\.jsonl$/, ""), { recursive: true });
    // The device-name files are read (stat, then read when they exist) each poll.
    const allowedReads = [dataDir, ...NAME_FILE_PATHS];
    const reads = audit.filter((e) => e.permission === "read").map((e) => e.value ?? "<all>");
    const outside = reads.filter((path) =>
      !workerFiles.includes(path) && !allowedReads.some((dir) => path === dir || path.startsWith(`${dir}/`))
    );
    assert.deepEqual(outside, [], "reads outside the data directory and the module graph");
    const kinds = new Map<string, number>();
    for (const e of audit) kinds.set(e.permission, (kinds.get(e.permission) ?? 0) + 1);
    console.log(`permission audit: ${JSON.stringify(Object.fromEntries(kinds))}`);
  },
});
