/**
 * The services views' own strings in each language (issue 15): the Services page, the dashboard's "Top
 * services" card and a device's services. They travel in the lazy chunks that show them rather than in
 * i18n/en.ts, which every first load carries (the budget of web/build.ts). useServicesT() translates both
 * kinds of key.
 */
import { useApp, useT } from "../../app_context.ts";
import { fillPlaceholders, type Lang, type MessageKey } from "../../i18n/i18n.ts";

const EN = {
  svc_title: "Services",
  svc_top_title: "Top services",
  svc_all: "All services",
  svc_col_name: "Service",
  svc_show_hosts: "Show the hosts of {name}",
  svc_hide_hosts: "Hide the hosts of {name}",
  svc_hosts: "Hosts",
  svc_no_hosts: "No host names kept (older than the name retention)",
  svc_unknown: "Unnamed",
  svc_unknown_help: "Bytes with no name seen: no DNS answer, Encrypted ClientHello or DNS over HTTPS",
  svc_other: "Other services",
  svc_other_help: "Named bytes of the services beyond this list",
  svc_empty: "No traffic in this range",
  svc_off: "Service names are off (SERVICE_NAMES=off): every byte is unnamed",
  svc_failed: "Could not load the services",
  svc_device: "Device",
  svc_all_devices: "All devices",
} as const;

/** Name of one of these strings. */
export type ServicesMessageKey = keyof typeof EN;
type ServicesMessages = { readonly [K in ServicesMessageKey]: string };

const RU: ServicesMessages = {
  svc_title: "Сервисы",
  svc_top_title: "Популярные сервисы",
  svc_all: "Все сервисы",
  svc_col_name: "Сервис",
  svc_show_hosts: "Показать хосты {name}",
  svc_hide_hosts: "Скрыть хосты {name}",
  svc_hosts: "Хосты",
  svc_no_hosts: "Имена хостов не сохранены (старше срока хранения имён)",
  svc_unknown: "Без имени",
  svc_unknown_help:
    "Байты, для которых имя не встретилось: нет ответа DNS, зашифрованный ClientHello или DNS поверх HTTPS",
  svc_other: "Прочие сервисы",
  svc_other_help: "Байты с именем у сервисов за пределами списка",
  svc_empty: "Нет трафика за этот период",
  svc_off: "Имена сервисов отключены (SERVICE_NAMES=off): все байты без имени",
  svc_failed: "Не удалось загрузить сервисы",
  svc_device: "Устройство",
  svc_all_devices: "Все устройства",
};

const ZH_CN: ServicesMessages = {
  svc_title: "服务",
  svc_top_title: "热门服务",
  svc_all: "全部服务",
  svc_col_name: "服务",
  svc_show_hosts: "显示 {name} 的主机",
  svc_hide_hosts: "隐藏 {name} 的主机",
  svc_hosts: "主机",
  svc_no_hosts: "未保留主机名（早于名称保留期限）",
  svc_unknown: "未命名",
  svc_unknown_help: "未见到名称的流量：没有 DNS 应答、加密的 ClientHello 或 DNS over HTTPS",
  svc_other: "其他服务",
  svc_other_help: "列表之外各服务的已命名流量",
  svc_empty: "此时间范围内没有流量",
  svc_off: "服务名称已关闭（SERVICE_NAMES=off）：所有流量均未命名",
  svc_failed: "无法加载服务",
  svc_device: "设备",
  svc_all_devices: "所有设备",
};

/** Every language's strings, for the test that each is complete and translated. */
export const SERVICES_MESSAGES: Readonly<Record<Lang, ServicesMessages>> = { en: EN, ru: RU, "zh-CN": ZH_CN };

/** Like useT(), for these keys and every key of i18n/. */
export function useServicesT(): (
  key: ServicesMessageKey | MessageKey,
  values?: Readonly<Record<string, string | number>>,
) => string {
  const lang = useApp().prefs.lang.value;
  const t = useT();
  return (key, values) =>
    key in EN
      ? fillPlaceholders(SERVICES_MESSAGES[lang][key as ServicesMessageKey], values)
      : t(key as MessageKey, values);
}
