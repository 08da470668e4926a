/**
 * `netledger --test-alert PLAN` (issue 16): the real program sends a sample of the plan's alert to a real
 * webhook receiver on 127.0.0.1 with the secret header, says so in one line and exits 0; a down receiver
 * makes it exit 1 without the secret or the URL in its output; a bad PLAN= exits 2 with one line.
 */
import assert from "node:assert/strict";
import { WEBHOOK_SECRET_HEADER } from "../plans/mod.ts";
import { childEnv, ROOT_DIR } from "./helpers/run_main.ts";

const SECRET = "test-alert-secret";

async function runMain(args: string[], env: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "nl-test-alert-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", ...args],
      cwd: ROOT_DIR,
      env: childEnv({ DB_PATH: `${dir}/netledger.db`, TZ: "UTC", ...env }),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("netledger --test-alert PLAN posts a sample to the webhook and exits 0; a down receiver exits 1", async () => {
  const received: { body: Record<string, unknown>; secret: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    received.push({ body: await request.json(), secret: request.headers.get(WEBHOOK_SECRET_HEADER) });
    return new Response("ok");
  });
  const port = server.addr.port;
  const env = {
    PLAN: "Home ISP;monthly:15;total;1.2TB",
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
    ALERT_WEBHOOK_SECRET: SECRET,
  };
  try {
    const sent = await runMain(["--test-alert", "home-isp"], env);
    assert.equal(sent.code, 0, sent.output);
    assert.match(sent.output, /Sent a test alert of plan "home-isp" over webhook/);
    assert.equal(received.length, 1);
    assert.equal(received[0].secret, SECRET);
    assert.deepEqual(
      [received[0].body.plan_id, received[0].body.is_test, received[0].body.quota_bytes],
      ["home-isp", true, 1.2e12],
    );
  } finally {
    await server.shutdown();
  }
  const failed = await runMain(["--test-alert", "Home ISP"], env);
  assert.equal(failed.code, 1, failed.output);
  assert.match(failed.output, /Cannot send a test alert of plan "home-isp" over webhook: connection failed/);
  assert.ok(!failed.output.includes(SECRET) && !failed.output.includes(`:${port}`), failed.output);
  const badPlan = await runMain([], { PLAN: "Home;monthly:0;total;1TB" });
  assert.equal(badPlan.code, 2);
  assert.match(
    badPlan.output,
    /^Invalid PLAN plan 1 PERIOD: got "monthly:0", expected monthly:DAY with DAY from 1 to 31$/m,
  );
});
