import assert from "node:assert/strict";
import { ConfigErrors, ENV_NAMES, helpText, loadConfig } from "./config.ts";

Deno.test("loadConfig() uses the defaults of the issue when nothing is set", () => {
  const config = loadConfig([], { TZ: "UTC" });
  assert.equal(config.webPort, 8080);
  assert.equal(config.saveIntervalSec, 300);
  assert.equal(config.ringBytes, 32 * 1024 * 1024);
  assert.equal(config.iface, null);
  assert.equal(config.dbPath, "./data/netledger.db");
  assert.deepEqual(config.excludeIpv6Prefixes, []);
  assert.equal(config.clash.apiUrl, null);
  assert.equal(config.disableOffloads, false);
});

Deno.test("loadConfig() lets a flag beat the environment and the environment beat the default", () => {
  const env = { WEB_PORT: "9000", SAVE_INTERVAL: "60", TZ: "Asia/Kolkata" };
  const config = loadConfig(["--port", "9100", "--disable-offloads"], env);
  assert.equal(config.webPort, 9100);
  assert.equal(config.saveIntervalSec, 60);
  assert.equal(config.timeZone, "Asia/Kolkata");
  assert.equal(config.disableOffloads, true);
});

Deno.test("loadConfig() puts the database in systemd's STATE_DIRECTORY", () => {
  const config = loadConfig([], { TZ: "UTC", STATE_DIRECTORY: "/var/lib/netledger" });
  assert.equal(config.dbPath, "/var/lib/netledger/netledger.db");
});

Deno.test("loadConfig() splits comma lists and trims the Clash URL", () => {
  const config = loadConfig([], {
    TZ: "UTC",
    EXCLUDE_IPV6_PREFIX: "2001:db8:1::/56, 2001:db8:2::/48",
    LOCAL_IPS: "192.0.2.1,2001:db8::1",
    CLASH_API_URL: "http://127.0.0.1:9090/",
  });
  assert.deepEqual(config.excludeIpv6Prefixes, ["2001:db8:1::/56", "2001:db8:2::/48"]);
  assert.deepEqual(config.localIps, ["192.0.2.1", "2001:db8::1"]);
  assert.equal(config.clash.apiUrl, "http://127.0.0.1:9090");
});

Deno.test("loadConfig() takes WEB_PORT=0 (a free port) but not for --healthcheck, which needs the real one", () => {
  assert.equal(loadConfig([], { TZ: "UTC", WEB_PORT: "0" }).webPort, 0);
  assert.throws(() => loadConfig(["--healthcheck"], { TZ: "UTC", WEB_PORT: "0" }), (e) => {
    assert.ok(e instanceof ConfigErrors);
    assert.deepEqual(e.errors.map((x) => x.variable), ["WEB_PORT"]);
    return true;
  });
  assert.throws(() => loadConfig([], { TZ: "UTC", WEB_PORT: "65536" }), ConfigErrors);
});

Deno.test("loadConfig() names every bad value at once", () => {
  const bad = {
    TZ: "Mars/Olympus",
    WEB_PORT: "80a",
    SAVE_INTERVAL: "4",
    RING_MB: "0",
    DISABLE_OFFLOADS: "maybe",
    AUTH_PASSWORD_HASH: "md5:abc",
    CLASH_API_URL: "127.0.0.1:9090",
    LOCAL_IPS: "192.0.2.300",
    EXCLUDE_IPV6_PREFIX: "2001:db8::/129",
  };
  assert.throws(() => loadConfig(["--unknown-flag"], bad), (e) => {
    assert.ok(e instanceof ConfigErrors);
    const names = e.errors.map((x) => x.variable).sort();
    assert.deepEqual(names, [...Object.keys(bad), "arguments"].sort());
    assert.match(e.message, /Invalid SAVE_INTERVAL: got "4", expected a whole number from 5 to 3600/);
    return true;
  });
});

Deno.test("loadConfig() reads ALLOWED_HOSTS as lowercase names and IP addresses; unset means the default", () => {
  assert.equal(loadConfig([], { TZ: "UTC" }).allowedHosts, null);
  const config = loadConfig([], {
    TZ: "UTC",
    ALLOWED_HOSTS: " NAS.lan, netledger.example.com., 192.0.2.5,[2001:db8::5], my_nas ",
  });
  assert.deepEqual(config.allowedHosts, [
    "nas.lan",
    "netledger.example.com",
    "192.0.2.5",
    "2001:db8::5",
    "my_nas",
  ]);
  for (const bad of ["nas.lan:8080", "http://nas.lan", "*.example.com", "nas lan", "-nas.lan", "a..b"]) {
    assert.throws(() => loadConfig([], { TZ: "UTC", ALLOWED_HOSTS: `nas.lan,${bad}` }), (e) => {
      assert.ok(e instanceof ConfigErrors, bad);
      assert.equal(
        e.message,
        `Invalid ALLOWED_HOSTS: got "${bad.toLowerCase()}", expected host names or IP ` +
          "addresses without port, such as nas.lan,192.0.2.5",
      );
      return true;
    });
  }
});

Deno.test("helpText() lists every variable with its default", () => {
  const text = helpText("1.2.3");
  for (const name of ENV_NAMES.filter((n) => n !== "STATE_DIRECTORY")) assert.match(text, new RegExp(name));
  assert.match(
    text,
    /WEB_PORT\s+listen port \(1\.\.65535; 0 picks a free one and logs it\) \[default: 8080\]/,
  );
});

Deno.test("loadConfig() reads DHCP_LEASES as absolute paths, which need not exist yet", () => {
  assert.deepEqual(loadConfig([], { TZ: "UTC" }).dhcpLeasePaths, []);
  const config = loadConfig([], {
    TZ: "UTC",
    DHCP_LEASES: " /tmp/dhcp.leases, /var/lib/dhcp/dhcpd.leases ,/nonexistent/dnsmasq.leases",
  });
  assert.deepEqual(config.dhcpLeasePaths, [
    "/tmp/dhcp.leases",
    "/var/lib/dhcp/dhcpd.leases",
    "/nonexistent/dnsmasq.leases",
  ]);
  assert.deepEqual(
    loadConfig(["--dhcp-leases", "/tmp/a.leases"], { TZ: "UTC", DHCP_LEASES: "/tmp/b.leases" })
      .dhcpLeasePaths,
    ["/tmp/a.leases"],
  );
  assert.throws(
    () => loadConfig([], { TZ: "UTC", DHCP_LEASES: "dhcp.leases,/tmp/ok.leases,/tmp/\u0007" }),
    (e) => {
      assert.ok(e instanceof ConfigErrors);
      assert.deepEqual(e.errors.map((x) => `${x.variable} ${x.value}`), [
        "DHCP_LEASES dhcp.leases",
        "DHCP_LEASES /tmp/\u0007",
      ]);
      assert.match(
        e.message,
        /^Invalid DHCP_LEASES: got "dhcp.leases", expected absolute paths of lease files/,
      );
      return true;
    },
  );
  assert.ok(ENV_NAMES.includes("DHCP_LEASES"));
});

Deno.test("loadConfig() reads PLAN and ALERT_*, names a bad plan's field in one line and never quotes a token", () => {
  const nowSec = Date.parse("2026-12-04T12:00:00Z") / 1000;
  const config = loadConfig([], {
    TZ: "UTC",
    PLAN: "ISP;monthly:15;total;1.2TB|VPS upload;every:30:2026-01-07;upload;2TB",
    ALERT_WEBHOOK_URL: "https://hooks.example/netledger",
    ALERT_WEBHOOK_SECRET: "s3cret",
    ALERT_TELEGRAM_TOKEN: "123456:ABC-def_1",
    ALERT_TELEGRAM_CHAT_ID: "-100123",
  }, { nowSec });
  assert.deepEqual(config.plans.map((p) => [p.id, p.quotaBytes]), [["isp", 1.2e12], ["vps-upload", 2e12]]);
  assert.deepEqual(config.alertChannels.map((c) => c.kind), ["webhook", "telegram"]);
  const bad: [Record<string, string>, string][] = [
    [
      { PLAN: "ISP;monthly:32;total;1TB" },
      'Invalid PLAN plan 1 PERIOD: got "monthly:32", expected monthly:DAY',
    ],
    [
      { PLAN: "ISP;calendar;total" },
      'Invalid PLAN plan 1: got "ISP;calendar;total", expected NAME;PERIOD;COUNTS;QUOTA',
    ],
    [{ PLAN: "A;calendar;total;1TB|B;calendar;total;0GB" }, 'Invalid PLAN plan 2 QUOTA: got "0GB"'],
    [
      { ALERT_WEBHOOK_URL: "ftp://x" },
      'Invalid ALERT_WEBHOOK_URL: got "ftp://x", expected an http:// or https:// URL',
    ],
    [
      { ALERT_TELEGRAM_TOKEN: "oops-secret", ALERT_TELEGRAM_CHAT_ID: "1" },
      'Invalid ALERT_TELEGRAM_TOKEN: got "<hidden>"',
    ],
  ];
  for (const [env, line] of bad) {
    assert.throws(() => loadConfig([], { TZ: "UTC", ...env }, { nowSec }), (e) => {
      assert.ok(e instanceof ConfigErrors);
      assert.equal(e.errors.length, 1, e.message);
      assert.ok(e.message.startsWith(line), e.message);
      assert.ok(!e.message.includes("oops-secret"));
      return true;
    });
  }
});
