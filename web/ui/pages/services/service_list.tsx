/**
 * A short list of services with share bars, each opening its hosts: the dashboard's "Top services" card and
 * a device's services. Names are the API's decoded host names, always drawn as Preact text (escaped).
 */
import { useState } from "preact/hooks";
import { useApp } from "../../app_context.ts";
import { useByteFormat } from "../../components/use_byte_format.ts";
import type { ServiceHostJson, ServiceJson, ServicesJson } from "../../../api_types.ts";
import { useServicesT } from "./services_messages.ts";

/** A service's hosts span the row of .top-devices' grid, indented under its name (no CSS in the first load). */
const HOSTS_STYLE = { gridColumn: "1 / -1", margin: "0 0 0.3rem 1rem", padding: 0, listStyle: "none" };
const ROW_STYLE = { display: "flex", justifyContent: "space-between", gap: "0.6rem", maxWidth: "100%" };

/** The hosts of one service, heaviest first, or why there are none. */
export function HostList(props: { hosts: readonly ServiceHostJson[] }) {
  const t = useServicesT();
  const fmt = useByteFormat();
  if (props.hosts.length === 0) return <p class="muted" style={HOSTS_STYLE}>{t("svc_no_hosts")}</p>;
  return (
    <ul style={HOSTS_STYLE} aria-label={t("svc_hosts")} data-testid="svc-hosts">
      {props.hosts.map((h) => (
        <li key={h.name} data-host={h.name} style={ROW_STYLE}>
          <span class="top-device-name" title={h.name}>{h.name}</span>
          <span class="num" data-bytes={h.total_bytes} title={fmt.exact(h.total_bytes)}>
            {fmt.bytes(h.total_bytes)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The button that opens or closes a service's hosts, with its name. */
export function ServiceToggle(props: { service: ServiceJson; isOpen: boolean; onToggle: () => void }) {
  const t = useServicesT();
  const { service, isOpen } = props;
  return (
    <button
      type="button"
      class="dev-name-button"
      style={ROW_STYLE}
      aria-expanded={isOpen}
      aria-label={t(isOpen ? "svc_hide_hosts" : "svc_show_hosts", { name: service.name })}
      data-testid="svc-toggle"
      onClick={props.onToggle}
    >
      <span aria-hidden="true">{isOpen ? "▾ " : "▸ "}</span>
      <span class="top-device-name" title={service.name}>{service.name}</span>
    </button>
  );
}

/** The first `limit` services of `json` (heaviest first, as the API lists them), hosts on expand. */
export function ServiceList(props: { json: ServicesJson; limit: number; testId: string }) {
  const fmt = useByteFormat();
  const { prefs } = useApp();
  const [open, setOpen] = useState<string | null>(null);
  const percent = new Intl.NumberFormat(prefs.lang.value, { style: "percent", maximumFractionDigits: 1 });
  return (
    <ol class="top-devices" data-testid={props.testId}>
      {props.json.services.slice(0, props.limit).map((s) => (
        <li key={s.name} data-service={s.name}>
          <ServiceToggle
            service={s}
            isOpen={open === s.name}
            onToggle={() => setOpen(open === s.name ? null : s.name)}
          />
          <span class="share" aria-hidden="true">
            <span class="share-bar" style={{ width: `${Math.min(100, s.share * 100)}%` }}>
              <span class="up-part" style={{ flexGrow: s.up_bytes }} />
              <span class="down-part" style={{ flexGrow: s.down_bytes }} />
            </span>
          </span>
          <span class="num" data-bytes={s.total_bytes} title={fmt.exact(s.total_bytes)}>
            {fmt.bytes(s.total_bytes)} · {percent.format(s.share)}
          </span>
          {open === s.name && <HostList hosts={s.hosts} />}
        </li>
      ))}
    </ol>
  );
}
