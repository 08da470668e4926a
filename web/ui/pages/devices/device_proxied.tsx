/**
 * What the Clash core proxied for a device over the page's range (issue 14 item 5): the core's bytes of the
 * client IPs that map to it, per chain and per host, from GET /api/devices/:id's `proxied`. Its strings travel
 * in the Devices chunk, not in i18n/ (the first-load budget of web/build.ts).
 */
import { useApp } from "../../app_context.ts";
import { fillPlaceholders, type Lang } from "../../i18n/i18n.ts";
import { useByteFormat } from "../../components/use_byte_format.ts";
import type { DeviceProxiedGroupJson, DeviceProxiedJson } from "../../../api_types.ts";

const EN = {
  title: "Proxied traffic (Clash)",
  none: "No proxy client maps to this device in this range.",
  clients: "Proxy client addresses: {ips}",
  chains: "Chains",
  hosts: "Hosts",
  name: "Name",
  total: "Total",
  other_hosts: "Other hosts: {bytes}",
} as const;

type ProxiedMessages = { readonly [K in keyof typeof EN]: string };

const MESSAGES: Readonly<Record<Lang, ProxiedMessages>> = {
  en: EN,
  ru: {
    title: "Трафик через прокси (Clash)",
    none: "За этот период ни один клиент прокси не относится к этому устройству.",
    clients: "Адреса клиента прокси: {ips}",
    chains: "Цепочки",
    hosts: "Хосты",
    name: "Имя",
    total: "Всего",
    other_hosts: "Остальные хосты: {bytes}",
  },
  "zh-CN": {
    title: "代理流量（Clash）",
    none: "此时间范围内没有代理客户端对应此设备。",
    clients: "代理客户端地址：{ips}",
    chains: "代理链",
    hosts: "主机",
    name: "名称",
    total: "合计",
    other_hosts: "其他主机：{bytes}",
  },
};

/** The proxied part of a device's page. */
export function DeviceProxied(props: { proxied: DeviceProxiedJson }) {
  const lang = useApp().prefs.lang.value;
  const t = (key: keyof ProxiedMessages, values?: Readonly<Record<string, string>>) =>
    fillPlaceholders(MESSAGES[lang][key], values);
  const fmt = useByteFormat();
  const { proxied } = props;
  const table = (testId: string, caption: string, rows: readonly DeviceProxiedGroupJson[]) => (
    <table class="table-cards" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t("name")}</th>
          <th scope="col">{t("total")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <td class="card-title">{r.name}</td>
            <td data-label={t("total")} data-bytes={r.total_bytes} title={fmt.exact(r.total_bytes)}>
              {fmt.bytes(r.total_bytes)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <div data-testid="device-proxied">
      <h3>{t("title")}</h3>
      {proxied.client_ips.length === 0 ? <p class="muted">{t("none")}</p> : (
        <>
          <p class="muted dev-mono">{t("clients", { ips: proxied.client_ips.join(", ") })}</p>
          {table("device-proxied-chains", t("chains"), proxied.chains)}
          {table("device-proxied-hosts", t("hosts"), proxied.hosts)}
          {proxied.hosts_other_bytes > 0 && (
            <p class="muted">{t("other_hosts", { bytes: fmt.bytes(proxied.hosts_other_bytes) })}</p>
          )}
        </>
      )}
    </div>
  );
}
