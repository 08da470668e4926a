import assert from "node:assert/strict";
import { compileArgs, runtimeDownloadHelp } from "./compile.ts";
import { compiledScope, permissionFlags } from "./permissions.ts";
import { ENV_NAMES } from "../config.ts";

const ROOT_DIR = new URL("..", import.meta.url).pathname;
/** What `deno compile` printed here, offline, before this script explained it (Deno 2.9.6). */
const OFFLINE_STDERR = `Compile ${new URL("../main.ts", import.meta.url).href} to netledger
Download https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
error: Writing deno compile executable to temporary file 'netledger.tmp-997780bf47c63e58'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
`;

Deno.test("runtimeDownloadHelp() explains a failed runtime download once, naming the file and DENORT_BIN", () => {
  const help = runtimeDownloadHelp(OFFLINE_STDERR, undefined, null);
  assert.match(help ?? "", /^Cannot download the Deno runtime "denort-x86_64-unknown-linux-gnu\.zip"/);
  assert.match(help ?? "", /DENORT_BIN=\/path\/to\/denort deno task compile$/);
  assert.equal(help?.includes("\n"), false);
});

Deno.test("runtimeDownloadHelp() stays out of other failures and of runs that set DENORT_BIN", () => {
  assert.equal(runtimeDownloadHelp("error: Type checking failed.\n  TS2345 ...", undefined, null), null);
  assert.equal(runtimeDownloadHelp(OFFLINE_STDERR, "/opt/denort", null), null);
});

Deno.test("compileArgs() refuses an executable not named netledger (its module root depends on the name)", async () => {
  await assert.rejects(compileArgs({ output: "netledger-arm64", target: null, dataDirs: null }), RangeError);
});

Deno.test("compileArgs() bakes the shared permission flags, includes every Worker module, and honours --data-dir", async () => {
  const args = await compileArgs({ output: "netledger", target: null, dataDirs: null });
  const expected = permissionFlags(compiledScope());
  assert.deepEqual(args.slice(1, 1 + expected.length), expected);
  const includes = args.flatMap((a, i) => (args[i - 1] === "--include" ? [a] : []));
  assert.ok(includes.includes("capture/capture_worker.ts"), includes.join(" "));
  assert.ok(includes.includes("store/backup_worker.ts"), includes.join(" "));
  assert.equal(args.at(-1), "main.ts");
  const custom = await compileArgs({
    output: "dist/arm64/netledger",
    target: "aarch64-unknown-linux-gnu",
    dataDirs: ["/volume1/nl"],
  });
  assert.ok(custom.includes("--allow-write=/volume1/nl"), custom.join(" "));
  assert.deepEqual(custom.slice(custom.indexOf("--target"), custom.indexOf("--target") + 2), [
    "--target",
    "aarch64-unknown-linux-gnu",
  ]);
});

async function runCompile(args: string[], env: Record<string, string>, clearDenort: boolean) {
  const childEnv = { ...Deno.env.toObject(), ...env };
  if (clearDenort) delete childEnv.DENORT_BIN;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-run", "--allow-env", "packaging/compile.ts", ...args],
    cwd: ROOT_DIR,
    env: childEnv,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

/** The JSON metadata deno compile embeds (it holds the baked permissions). */
function embeddedMetadata(binary: Uint8Array): { permissions: Record<string, string[] | null | boolean> } {
  const text = new TextDecoder("latin1").decode(binary);
  const start = text.lastIndexOf('{"argv":');
  assert.ok(start >= 0, "no compile metadata in the output");
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === "{") depth++;
    if (text[i] === "}" && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error("unterminated compile metadata");
}

Deno.test({
  name:
    "deno task compile passes DENORT_BIN through to deno compile and bakes the permissions into the output",
  async fn() {
    // Any existing executable proves the pass-through without a download: Deno reads DENORT_BIN itself and
    // uses that file as the base. With this Deno as the base the output is not a runnable netledger (the
    // real base is denort), but its embedded metadata is exactly what the real executable carries.
    const dir = await Deno.makeTempDir({ prefix: "nl-compile-" });
    try {
      const output = `${dir}/netledger`;
      const result = await runCompile(["--output", output], { DENORT_BIN: Deno.execPath() }, false);
      assert.equal(result.code, 0, result.stderr);
      const binary = await Deno.readFile(output);
      const { permissions } = embeddedMetadata(binary);
      assert.deepEqual(permissions.allow_read, [
        "/var/lib/netledger",
        "./data",
        "/tmp/deno-compile-netledger",
        "/etc/ethers",
        "/etc/hosts",
        "/tmp/dhcp.leases",
        "/var/lib/misc/dnsmasq.leases",
        "/var/lib/dhcp/dhcpd.leases",
        "/var/lib/dhcpd/dhcpd.leases",
      ]);
      assert.deepEqual(permissions.allow_write, ["/var/lib/netledger", "./data"]);
      assert.deepEqual(permissions.allow_env, [...ENV_NAMES]);
      assert.deepEqual(permissions.allow_sys, ["networkInterfaces", "hostname"]);
      assert.deepEqual(permissions.allow_run, ["ethtool"]);
      assert.deepEqual(permissions.allow_ffi, []);
      assert.deepEqual(permissions.allow_net, []);
      assert.equal(permissions.prompt, false);
      const text = new TextDecoder("latin1").decode(binary);
      assert.ok(text.includes("capture_worker.ts"), "the capture Worker is embedded");
      assert.ok(text.includes("backup_worker.ts"), "the backup Worker is embedded");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const denoDir = JSON.parse(
  new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output()).stdout,
  ),
).denoDir as string;
const denortCached = await Array.fromAsync(Deno.readDir(`${denoDir}/dl/release/v${Deno.version.deno}`)).then(
  (entries) => entries.some((e) => e.name.startsWith("denort-")),
  (e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return false;
  },
);

if (denortCached) {
  console.warn(
    "Skipping the offline compile test: DENO_DIR holds a denort for this Deno, so nothing is downloaded",
  );
}

Deno.test({
  name: "deno task compile without DENORT_BIN prints one clear message when the runtime cannot be downloaded",
  ignore: denortCached,
  async fn() {
    // A proxy on a closed loopback port makes the download fail here whether or not the machine is online;
    // nothing leaves the machine.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const proxy = `http://127.0.0.1:${listener.addr.port}`;
    listener.close();
    const dir = await Deno.makeTempDir({ prefix: "nl-compile-" });
    try {
      const result = await runCompile(["--output", `${dir}/netledger`], {
        HTTPS_PROXY: proxy,
        HTTP_PROXY: proxy,
        NO_PROXY: "",
      }, true);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^Cannot download the Deno runtime "denort-[\w.-]+\.zip"/);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
