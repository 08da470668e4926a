/**
 * The one typed, validated configuration of netledger: flags beat environment variables beat defaults.
 * `loadConfig` is pure (it never reads Deno.env or the disk), collects every problem at once and throws a
 * ConfigErrors naming each bad variable, what was given and what is allowed.
 */
import { parseArgs } from "node:util";
import { parseIp, parsePrefix } from "./capture/mod.ts";
import { type AlertChannel, localDate, parsePlanList, PlanFieldError, type PlanSpec } from "./plans/mod.ts";

/** One bad configuration value: the variable (or flag), what was given, what is allowed. */
export class ConfigError extends Error {
  constructor(readonly variable: string, readonly value: string, allowed: string) {
    super(`Invalid ${variable}: got "${value}", expected ${allowed}`);
    this.name = "ConfigError";
  }
}

/** Every bad value found in one load, one line each. */
export class ConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "ConfigErrors";
  }
}

/** Retention in days per kind of data; 0 keeps that detail forever. */
export interface RetentionConfig {
  /** 15-minute traffic buckets; older ones are rolled up into UTC hours. */
  readonly fineDays: number;
  /** Per-remote-IP history; older rows are rolled up into one row per UTC day. */
  readonly remoteDays: number;
  /** Proxy-client, resource and chain history; older rows are rolled up into UTC days. */
  readonly clashDays: number;
}

/** The resolved, complete configuration. */
export interface Config {
  /** Interface to capture on; null means "the interface of the default route", resolved at start. */
  readonly iface: string | null;
  /** IANA time zone for hours, days and months. */
  readonly timeZone: string;
  /** Manual IPv6 LAN prefixes (EXCLUDE_IPV6_PREFIX); empty means auto-detect the /56 of each GUA. */
  readonly excludeIpv6Prefixes: readonly string[];
  /** Host addresses for pcap import, where no interface tells them (LOCAL_IPS). */
  readonly localIps: readonly string[];
  readonly bindAddress: string;
  /**
   * ALLOWED_HOSTS: the names (lowercase) and IP addresses (IPv6 without brackets) a request's Host may carry
   * besides the listen address and localhost; null when unset: then any IP address and the machine's host name
   * (web/api/request_guard.ts).
   */
  readonly allowedHosts: readonly string[] | null;
  /** 0 lets the system pick a free port at start; the "Serving the dashboard" log line names it. */
  readonly webPort: number;
  readonly saveIntervalSec: number;
  readonly dbPath: string;
  readonly ringBytes: number;
  readonly disableOffloads: boolean;
  /** When set, import this pcap/pcapng file into dbPath and exit. */
  readonly pcapPath: string | null;
  /** When set, import this NetTraffic-Sentinel database into dbPath and exit (docs/imports.md). */
  readonly sentinelPath: string | null;
  /** When set, import this vnStat database's totals of one interface into dbPath and exit (docs/imports.md). */
  readonly vnstat: { readonly path: string; readonly interfaceName: string } | null;
  readonly clash: { readonly apiUrl: string | null; readonly secret: string };
  readonly retention: RetentionConfig;
  readonly auth: {
    /** Plain password, or null. */
    readonly password: string | null;
    /** "sha256:<hex>" of the password, or null. */
    readonly passwordHash: string | null;
    readonly apiToken: string | null;
  };
  /** How many remote IPs /metrics exposes as separate series. */
  readonly metricsTopN: number;
  /** DHCP_LEASES: dnsmasq or ISC dhcpd lease files that name devices (absolute paths; may not exist yet). */
  readonly dhcpLeasePaths: readonly string[];
  /** SERVICE_NAMES (issue 15): name remote ends from DNS, SNI and HTTP Host; off reads nothing past 128 bytes. */
  readonly serviceNames: boolean;
  /** SERVICE_RETENTION_DAYS: days full host names are kept before only the registrable domain remains. */
  readonly serviceRetentionDays: number;
  /** PLAN=: plans of a headless install (read-only in the API; docs/plans.md). */
  readonly plans: readonly PlanSpec[];
  /** The configured alert channels (ALERT_*); empty: alerts are only logged. Holds secrets: never log it. */
  readonly alertChannels: readonly AlertChannel[];
  /** --test-alert PLAN: send a sample alert of this plan id (or name) and exit. */
  readonly testAlertPlan: string | null;
  readonly showHelp: boolean;
  readonly showVersion: boolean;
  /** Ask the running instance's /api/health and exit (Docker HEALTHCHECK). */
  readonly runHealthcheck: boolean;
}

interface VarSpec {
  readonly name: string;
  readonly flag?: string;
  readonly fallback: string;
  readonly help: string;
}

/** Every variable netledger reads, in --help order; `fallback` is the default as text. */
const CONFIG_VARS: readonly VarSpec[] = [
  {
    name: "MONITOR_IFACE",
    flag: "iface",
    fallback: "",
    help: "interface to capture on (default: the default route's)",
  },
  {
    name: "TZ",
    flag: "tz",
    fallback: "",
    help: "IANA time zone for hours, days and months (default: the system's)",
  },
  {
    name: "EXCLUDE_IPV6_PREFIX",
    flag: "exclude-ipv6-prefix",
    fallback: "",
    help: "comma-separated IPv6 LAN prefixes; replaces auto /56 detection",
  },
  {
    name: "LOCAL_IPS",
    flag: "local-ips",
    fallback: "",
    help: "comma-separated host addresses for --pcap import",
  },
  { name: "BIND", flag: "bind", fallback: "0.0.0.0", help: "listen address of the dashboard and API" },
  {
    name: "ALLOWED_HOSTS",
    fallback: "",
    help: "comma-separated host names (and IP addresses) the dashboard is reached by; others get 421 " +
      "(default: any IP address and this machine's host name)",
  },
  {
    name: "WEB_PORT",
    flag: "port",
    fallback: "8080",
    help: "listen port (1..65535; 0 picks a free one and logs it)",
  },
  {
    name: "SAVE_INTERVAL",
    flag: "save-interval",
    fallback: "300",
    help: "seconds between database flushes (5..3600)",
  },
  {
    name: "DB_PATH",
    flag: "db",
    fallback: "",
    help: "SQLite file (default: $STATE_DIRECTORY/netledger.db or ./data/netledger.db)",
  },
  { name: "RING_MB", flag: "ring-mb", fallback: "32", help: "AF_PACKET ring size in MiB (1..1024)" },
  {
    name: "DISABLE_OFFLOADS",
    flag: "disable-offloads",
    fallback: "false",
    help: "run ethtool to turn GRO/LRO/TSO/GSO off",
  },
  { name: "PCAP", flag: "pcap", fallback: "", help: "import this pcap/pcapng file into DB_PATH and exit" },
  {
    name: "IMPORT_SENTINEL",
    flag: "import-sentinel",
    fallback: "",
    help: "import NetTraffic-Sentinel's traffic.db (local hours read in TZ) into DB_PATH and exit",
  },
  {
    name: "IMPORT_VNSTAT",
    flag: "import-vnstat",
    fallback: "",
    help: "import a vnStat 2.x database's interface totals (local times read in TZ) into DB_PATH and exit",
  },
  { name: "VNSTAT_INTERFACE", flag: "interface", fallback: "", help: "the interface --import-vnstat reads" },
  {
    name: "CLASH_API_URL",
    flag: "clash-api-url",
    fallback: "",
    help: "sing-box/mihomo external_controller URL",
  },
  { name: "CLASH_SECRET", flag: "clash-secret", fallback: "", help: "Clash API secret" },
  {
    name: "RETENTION_FINE_DAYS",
    fallback: "0",
    help: "days of 15-minute totals before hourly UTC rollup (0 = forever: about 70k rows a year)",
  },
  {
    name: "RETENTION_REMOTE_DAYS",
    fallback: "7",
    help:
      "days of 15-minute rows per remote IP, service and device; their local-day rows are kept for ever (0 = forever)",
  },
  {
    name: "CLASH_RETENTION_DAYS",
    fallback: "30",
    help: "days of fine proxy-client history before daily rollup (0 = forever)",
  },
  { name: "AUTH_PASSWORD", fallback: "", help: "enables the login page with this password" },
  { name: "AUTH_PASSWORD_HASH", fallback: "", help: "like AUTH_PASSWORD, as sha256:<hex>" },
  { name: "API_TOKEN", fallback: "", help: "Bearer token for scripts when auth is on" },
  { name: "METRICS_TOP_N", fallback: "20", help: "remote IPs exposed as series on /metrics (0..1000)" },
  {
    name: "SERVICE_NAMES",
    fallback: "on",
    help:
      "on: name traffic per service from DNS answers, TLS/QUIC SNI and HTTP Host; off: read 128 bytes only",
  },
  {
    name: "SERVICE_RETENTION_DAYS",
    fallback: "90",
    help: "days full host names are kept, then rolled up into their registrable domain (1..36500)",
  },
  {
    name: "DHCP_LEASES",
    flag: "dhcp-leases",
    fallback: "",
    help: "comma-separated dnsmasq or ISC dhcpd lease files that name devices (such as /tmp/dhcp.leases)",
  },
  {
    name: "PLAN",
    flag: "plan",
    fallback: "",
    help:
      "billing plans NAME;PERIOD;COUNTS;QUOTA separated by | (docs/plans.md), e.g. ISP;monthly:15;total;1.2TB",
  },
  { name: "ALERT_WEBHOOK_URL", fallback: "", help: "http(s) URL that plan alerts are POSTed to as JSON" },
  { name: "ALERT_WEBHOOK_SECRET", fallback: "", help: "sent with each webhook alert in X-Netledger-Secret" },
  {
    name: "ALERT_NTFY_URL",
    fallback: "",
    help: "ntfy topic URL for plan alerts, such as https://ntfy.sh/mytopic",
  },
  { name: "ALERT_NTFY_TOKEN", fallback: "", help: "ntfy access token (Bearer), if the topic needs one" },
  { name: "ALERT_TELEGRAM_TOKEN", fallback: "", help: "Telegram bot token for plan alerts" },
  { name: "ALERT_TELEGRAM_CHAT_ID", fallback: "", help: "Telegram chat id (or @channel) the bot writes to" },
  {
    name: "ALERT_TELEGRAM_API_URL",
    fallback: "https://api.telegram.org",
    help: "Telegram Bot API base URL (a local Bot API server)",
  },
];

/** The system files that name devices, read whenever they exist (names/ NameFiles). */
export const HOST_NAME_FILES = { ethersPath: "/etc/ethers", hostsPath: "/etc/hosts" } as const;

/**
 * Where dnsmasq (OpenWrt, Debian) and ISC dhcpd (Debian, RHEL) keep their leases: the compiled executable
 * may read these as DHCP_LEASES (packaging/permissions.ts); a lease file elsewhere needs a run from source.
 */
export const KNOWN_LEASE_FILES: readonly string[] = [
  "/tmp/dhcp.leases",
  "/var/lib/misc/dnsmasq.leases",
  "/var/lib/dhcp/dhcpd.leases",
  "/var/lib/dhcpd/dhcpd.leases",
];

/** Names of the environment variables netledger reads (for --allow-env). */
export const ENV_NAMES: readonly string[] = [...CONFIG_VARS.map((v) => v.name), "STATE_DIRECTORY"];

const IANA_ZONE_REGEXP = /^[A-Za-z0-9_+\-/]+$/;
/** A DNS name of letters, digits, "-" and "_" (some LAN names have one), dot-separated labels of 1–63. */
const HOST_NAME_REGEXP =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Resolves flags, environment and defaults into a Config; throws ConfigErrors listing every bad value. */
export function loadConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  clock: { readonly nowSec?: number } = {},
): Config {
  const errors: ConfigError[] = [];
  const options: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
    version: { type: "boolean" },
    healthcheck: { type: "boolean" },
    "test-alert": { type: "string" },
  };
  for (const v of CONFIG_VARS) {
    if (v.flag) options[v.flag] = { type: v.name === "DISABLE_OFFLOADS" ? "boolean" : "string" };
  }
  let values: Record<string, string | boolean | undefined> = {};
  try {
    values = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    errors.push(new ConfigError("arguments", args.join(" "), `flags from --help (${(e as Error).message})`));
  }
  const raw = (name: string): string => {
    const spec = CONFIG_VARS.find((v) => v.name === name)!;
    const flagValue = spec.flag ? values[spec.flag] : undefined;
    if (typeof flagValue === "string") return flagValue;
    if (flagValue === true) return "true";
    return env[name] ?? spec.fallback;
  };
  const int = (name: string, min: number, max: number): number => {
    const text = raw(name).trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      errors.push(new ConfigError(name, text, `a whole number from ${min} to ${max}`));
      return min;
    }
    return n;
  };
  const list = (name: string): string[] =>
    raw(name).split(",").map((s) => s.trim()).filter((s) => s.length > 0);

  const zone = raw("TZ").trim().replace(/^:/, "") || systemTimeZone();
  if (!isTimeZone(zone)) errors.push(new ConfigError("TZ", zone, "an IANA time zone such as Europe/Berlin"));
  if (raw("IMPORT_VNSTAT").trim() !== "" && raw("VNSTAT_INTERFACE").trim() === "") {
    errors.push(
      new ConfigError("VNSTAT_INTERFACE", "", "the vnStat interface to import, e.g. --interface eth0"),
    );
  }

  const excludeIpv6Prefixes = list("EXCLUDE_IPV6_PREFIX");
  for (const prefix of excludeIpv6Prefixes) {
    if (!parses(() => parsePrefix(prefix)) || !prefix.includes(":")) {
      errors.push(new ConfigError("EXCLUDE_IPV6_PREFIX", prefix, "IPv6 prefixes such as 2001:db8:1200::/56"));
    }
  }
  const localIps = list("LOCAL_IPS");
  for (const ip of localIps) {
    if (!parses(() => parseIp(ip))) errors.push(new ConfigError("LOCAL_IPS", ip, "IPv4 or IPv6 addresses"));
  }
  const allowedHosts = list("ALLOWED_HOSTS").map((host) =>
    host.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "")
  );
  for (const host of allowedHosts) {
    if (!HOST_NAME_REGEXP.test(host) && !parses(() => parseIp(host))) {
      errors.push(
        new ConfigError(
          "ALLOWED_HOSTS",
          host,
          "host names or IP addresses without port, such as nas.lan,192.0.2.5",
        ),
      );
    }
  }
  const dhcpLeasePaths = list("DHCP_LEASES");
  for (const path of dhcpLeasePaths) {
    // A file that does not exist yet is fine (the DHCP server may start later); a relative path is not.
    if (!path.startsWith("/") || /\p{Cc}/u.test(path)) {
      errors.push(
        new ConfigError("DHCP_LEASES", path, "absolute paths of lease files, such as /tmp/dhcp.leases"),
      );
    }
  }
  const boolText = raw("DISABLE_OFFLOADS").trim().toLowerCase();
  if (!["", "0", "1", "true", "false", "yes", "no"].includes(boolText)) {
    errors.push(new ConfigError("DISABLE_OFFLOADS", boolText, "true or false"));
  }
  const passwordHash = raw("AUTH_PASSWORD_HASH").trim() || null;
  if (passwordHash !== null && !/^sha256:[0-9a-f]{64}$/.test(passwordHash)) {
    errors.push(new ConfigError("AUTH_PASSWORD_HASH", passwordHash, "sha256:<64 lowercase hex digits>"));
  }
  const apiUrl = raw("CLASH_API_URL").trim() || null;
  if (apiUrl !== null && !/^https?:\/\/[^/]+/.test(apiUrl)) {
    errors.push(
      new ConfigError("CLASH_API_URL", apiUrl, "an http:// or https:// URL such as http://127.0.0.1:9090"),
    );
  }
  const plans = planList(
    raw("PLAN"),
    isTimeZone(zone) ? zone : "UTC",
    clock.nowSec ?? Date.now() / 1000,
    errors,
  );
  const alertChannels = alertChannelsOf(raw, errors);
  const testAlertPlan = typeof values["test-alert"] === "string" ? values["test-alert"].trim() : null;
  if (testAlertPlan !== null && alertChannels.length === 0) {
    errors.push(
      new ConfigError(
        "--test-alert",
        testAlertPlan,
        "a channel to send to (ALERT_WEBHOOK_URL, ALERT_NTFY_URL or ALERT_TELEGRAM_TOKEN)",
      ),
    );
  }
  const onOff = (name: string): boolean => {
    const text = raw(name).trim().toLowerCase();
    if (text !== "on" && text !== "off") errors.push(new ConfigError(name, text, "on or off"));
    return text !== "off";
  };
  const stateDir = env.STATE_DIRECTORY?.split(":")[0];
  const config: Config = {
    iface: raw("MONITOR_IFACE").trim() || null,
    timeZone: zone,
    excludeIpv6Prefixes,
    localIps,
    bindAddress: raw("BIND").trim(),
    allowedHosts: raw("ALLOWED_HOSTS").trim() === "" ? null : allowedHosts,
    webPort: int("WEB_PORT", 0, 65535),
    saveIntervalSec: int("SAVE_INTERVAL", 5, 3600),
    dbPath: raw("DB_PATH").trim() || (stateDir ? `${stateDir}/netledger.db` : "./data/netledger.db"),
    ringBytes: int("RING_MB", 1, 1024) * 1024 * 1024,
    disableOffloads: ["1", "true", "yes"].includes(boolText),
    pcapPath: raw("PCAP").trim() || null,
    sentinelPath: raw("IMPORT_SENTINEL").trim() || null,
    vnstat: raw("IMPORT_VNSTAT").trim() === ""
      ? null
      : { path: raw("IMPORT_VNSTAT").trim(), interfaceName: raw("VNSTAT_INTERFACE").trim() },
    clash: { apiUrl: apiUrl?.replace(/\/+$/, "") ?? null, secret: raw("CLASH_SECRET") },
    retention: {
      fineDays: int("RETENTION_FINE_DAYS", 0, 36500),
      remoteDays: int("RETENTION_REMOTE_DAYS", 0, 36500),
      clashDays: int("CLASH_RETENTION_DAYS", 0, 36500),
    },
    auth: {
      password: raw("AUTH_PASSWORD") || null,
      passwordHash,
      apiToken: raw("API_TOKEN").trim() || null,
    },
    metricsTopN: int("METRICS_TOP_N", 0, 1000),
    serviceNames: onOff("SERVICE_NAMES"),
    serviceRetentionDays: int("SERVICE_RETENTION_DAYS", 1, 36500),
    dhcpLeasePaths,
    plans,
    alertChannels,
    testAlertPlan,
    showHelp: values.help === true,
    showVersion: values.version === true,
    runHealthcheck: values.healthcheck === true,
  };
  if (config.runHealthcheck && config.webPort === 0) {
    // Port 0 is chosen anew by each start: only the running instance's log knows it.
    errors.push(
      new ConfigError("WEB_PORT", "0", "the running instance's port (1 to 65535) with --healthcheck"),
    );
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
  return config;
}

/** The --help text: every flag and variable with its default. */
export function helpText(version: string): string {
  const lines = [
    `netledger ${version}: counts public internet traffic of this box and the devices behind it`,
    "",
    "Usage: netledger [flags]   (each flag also reads the environment variable beside it)",
    "",
  ];
  const line = (flag: string, name: string, text: string) =>
    `  ${flag.padEnd(24)} ${name.padEnd(22)} ${text}`;
  for (const v of CONFIG_VARS) {
    const fallback = v.fallback === "" ? "" : ` [default: ${v.fallback}]`;
    lines.push(line(v.flag ? `--${v.flag}` : "", v.name, `${v.help}${fallback}`));
  }
  lines.push(line("--help", "", "print this text"));
  lines.push(line("--version", "", "print the version"));
  lines.push(line("--healthcheck", "", "ask the running instance's /api/health; exit 0 when it answers"));
  lines.push(line("--test-alert PLAN", "", "send a sample alert of plan PLAN (id or name) and exit"));
  return lines.join("\n");
}

/** The plans of PLAN=; a bad one adds one error naming its position and field (issue 16 "Bad input"). */
function planList(text: string, zone: string, nowSec: number, errors: ConfigError[]): PlanSpec[] {
  try {
    return parsePlanList(text, localDate(nowSec, zone));
  } catch (e) {
    if (!(e instanceof PlanFieldError)) throw e;
    errors.push(new ConfigError(`PLAN ${e.field}`, e.value, e.allowed));
    return [];
  }
}

/** The ALERT_* channels; secrets are never quoted in an error. */
function alertChannelsOf(raw: (name: string) => string, errors: ConfigError[]): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const url = (name: string): string | null => {
    const value = raw(name).trim();
    if (value === "") return null;
    if (!/^https?:\/\/[^/\s]+/.test(value)) {
      errors.push(new ConfigError(name, value, "an http:// or https:// URL"));
      return null;
    }
    return value;
  };
  const webhook = url("ALERT_WEBHOOK_URL");
  if (webhook !== null) {
    channels.push({ kind: "webhook", url: webhook, secret: raw("ALERT_WEBHOOK_SECRET").trim() || null });
  }
  const ntfy = url("ALERT_NTFY_URL");
  if (ntfy !== null) {
    channels.push({ kind: "ntfy", topicUrl: ntfy, token: raw("ALERT_NTFY_TOKEN").trim() || null });
  }
  const token = raw("ALERT_TELEGRAM_TOKEN").trim();
  const chatId = raw("ALERT_TELEGRAM_CHAT_ID").trim();
  const apiUrl = url("ALERT_TELEGRAM_API_URL");
  if (token !== "" || chatId !== "") {
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(token)) {
      errors.push(
        new ConfigError(
          "ALERT_TELEGRAM_TOKEN",
          token === "" ? "" : "<hidden>",
          "a bot token such as 123456:ABC-DEF (from @BotFather)",
        ),
      );
    } else if (!/^(-?\d+|@\w+)$/.test(chatId)) {
      errors.push(
        new ConfigError(
          "ALERT_TELEGRAM_CHAT_ID",
          chatId,
          "a chat id such as 123456789 or -100123456789, or @channelname",
        ),
      );
    } else if (apiUrl !== null) {
      channels.push({ kind: "telegram", apiUrl, token, chatId });
    }
  }
  return channels;
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (e) {
    if (e instanceof SyntaxError) return false;
    throw e;
  }
}

function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

function isTimeZone(zone: string): boolean {
  if (!IANA_ZONE_REGEXP.test(zone)) return false;
  try {
    Temporal.Now.zonedDateTimeISO(zone);
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}
