import assert from "node:assert/strict";

const UNIT_URL = new URL("../packaging/netledger.service", import.meta.url);
const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";
const hasSystemdAnalyze = await Deno.stat(SYSTEMD_ANALYZE).then(() => true, (e) => {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
  console.warn(`Skipping systemd-analyze checks: ${SYSTEMD_ANALYZE} is missing (no systemd on this machine)`);
  return false;
});

/**
 * `systemd-analyze verify` refuses a unit whose ExecStart binary does not exist, and /usr/local/bin/netledger is
 * only there after an install. So the checks run on a temporary copy whose ExecStart points at an executable
 * that exists (this Deno), keeping every other line as shipped.
 */
async function unitCopyWithExistingExecStart(): Promise<{ dir: string; path: string }> {
  const text = await Deno.readTextFile(UNIT_URL);
  assert.match(text, /^ExecStart=\/usr\/local\/bin\/netledger$/m);
  const dir = await Deno.makeTempDir({ prefix: "nl-unit-" });
  const path = `${dir}/netledger.service`;
  await Deno.writeTextFile(path, text.replace(/^ExecStart=.*$/m, `ExecStart=${Deno.execPath()} --version`));
  return { dir, path };
}

async function analyze(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(SYSTEMD_ANALYZE, {
    args,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

/** Settings of the [Service] section, as key → value (last one wins, as in systemd). */
function serviceSettings(text: string): Map<string, string> {
  const section = text.split(/^\[Service\]$/m)[1].split(/^\[/m)[0];
  const settings = new Map<string, string>();
  for (const line of section.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1], match[2]);
  }
  return settings;
}

Deno.test("netledger.service has the least-privilege settings the appliance promises", async () => {
  const settings = serviceSettings(await Deno.readTextFile(UNIT_URL));
  const expected: [string, string][] = [
    ["DynamicUser", "yes"],
    ["AmbientCapabilities", "CAP_NET_RAW CAP_NET_ADMIN"],
    ["CapabilityBoundingSet", "CAP_NET_RAW CAP_NET_ADMIN"],
    ["StateDirectory", "netledger"],
    ["ProtectSystem", "strict"],
    ["NoNewPrivileges", "yes"],
    ["Restart", "on-failure"],
  ];
  for (const [key, value] of expected) assert.equal(settings.get(key), value, key);
  assert.equal(settings.has("MemoryDenyWriteExecute"), false, "V8's JIT needs writable executable memory");
});

Deno.test({
  name: "systemd-analyze verify accepts netledger.service without a single warning",
  ignore: !hasSystemdAnalyze,
  async fn() {
    const { dir, path } = await unitCopyWithExistingExecStart();
    try {
      const result = await analyze(["verify", path]);
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "systemd-analyze verify rejects a broken copy of the unit (the check above can fail)",
  ignore: !hasSystemdAnalyze,
  async fn() {
    const { dir, path } = await unitCopyWithExistingExecStart();
    try {
      const text = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, text.replace("DynamicUser=yes", "DynamicUser=maybe"));
      const result = await analyze(["verify", path]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /Failed to parse boolean value: maybe/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "systemd-analyze security rates netledger.service OK (exposure at most 3.0 of 10)",
  ignore: !hasSystemdAnalyze,
  async fn() {
    const { dir, path } = await unitCopyWithExistingExecStart();
    try {
      const result = await analyze(["security", "--offline=true", "--no-pager", path]);
      const exposure = Number(
        /Overall exposure level for netledger\.service: ([\d.]+)/.exec(result.stdout)?.[1],
      );
      console.log(`systemd-analyze security exposure: ${exposure}`);
      assert.ok(exposure <= 3.0, `exposure ${exposure}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
