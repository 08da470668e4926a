/**
 * Route "/services" (issue 15): bytes per service (registrable domain) over a range, for every device or one.
 * The dashboard's range form and quick buttons (address "#/services?start=…"), a sortable table with share
 * bars whose rows open their hosts, and the exact "other" and "unnamed" rows, which with the services add up
 * to the range's total. Cards on a phone. Names are drawn as Preact text (escaped), never as markup.
 */
import { useModel, useSignal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import { useApp } from "../../app_context.ts";
import { getJson } from "../../api.ts";
import { ErrorBanner } from "../../components/error_banner.tsx";
import { RangeForm } from "../../components/range_panel.tsx";
import { BytesCell, ShareCell, SortHeader } from "../../components/table_cells.tsx";
import { useByteFormat } from "../../components/use_byte_format.ts";
import { rangeFromHash } from "../../lib/range_link.ts";
import { rangeBounds } from "../../lib/range_steps.ts";
import { RangeModel } from "../../models/range_model.ts";
import type { DevicesJson, ServicePartJson } from "../../../api_types.ts";
import { HostList, ServiceToggle } from "./service_list.tsx";
import { useServicesT } from "./services_messages.ts";
import { ServicesModel, servicesPath } from "./services_model.ts";

/** The dashboard's card, lazily imported from this chunk (pages/dashboard_page.tsx says why). */
export { TopServicesCard } from "../../components/top_services_card.tsx";

/** The devices of the range for the filter: id and what the Devices page calls it. */
function useDeviceChoices(start: string | undefined, end: string | undefined) {
  const [choices, setChoices] = useState<{ id: number; label: string }[]>([]);
  useEffect(() => {
    if (!start || !end) return;
    let isCurrent = true;
    // Without the list the filter offers "All devices" only; the table states its own errors.
    getJson<DevicesJson>(`/api/devices?start=${start}&end=${end}`).then(
      (json) =>
        isCurrent &&
        setChoices(json.devices.flatMap((d) => d.id === null ? [] : [{ id: d.id, label: d.name ?? d.key }])),
      () => isCurrent && setChoices([]),
    );
    return () => {
      isCurrent = false;
    };
  }, [start, end]);
  return choices;
}

export function ServicesPage() {
  const t = useServicesT();
  const fmt = useByteFormat();
  const { prefs, health } = useApp();
  const range = useModel(() =>
    new RangeModel(health.timeZone, rangeFromHash(location.hash), "/services", false)
  );
  const device = useSignal<number | null>(null);
  const model = useModel(() => new ServicesModel(range.applied, device));
  const applied = range.applied.value;
  const zone = health.timeZone.value;
  const json = model.result.value;
  const rows = model.sorted.value;
  const open = model.open.value;
  const choices = useDeviceChoices(applied?.start, applied?.end);
  const percent = new Intl.NumberFormat(prefs.lang.value, { style: "percent", maximumFractionDigits: 1 });
  const totalBytes = json?.total.total_bytes ?? 0;
  const shareOf = (bytes: number) => (totalBytes > 0 ? bytes / totalBytes : 0);
  const labels = {
    down: `▼ ${t("download")}`,
    up: `▲ ${t("upload")}`,
    total: t("total"),
    share: t("top_ips_share"),
  };
  const bounds = applied && zone ? rangeBounds(applied, zone) : null;
  const partRow = (part: ServicePartJson, name: string, help: string, testId: string) =>
    part.total_bytes > 0 && (
      <tr class="others" data-testid={testId}>
        <th scope="row" class="card-title" title={help}>{name}</th>
        <BytesCell fmt={fmt} bytes={part.down_bytes} label={labels.down} class="down" />
        <BytesCell fmt={fmt} bytes={part.up_bytes} label={labels.up} class="up" />
        <BytesCell fmt={fmt} bytes={part.total_bytes} label={labels.total} />
        <ShareCell
          up={part.up_bytes}
          down={part.down_bytes}
          share={shareOf(part.total_bytes)}
          label={labels.share}
          percent={percent}
        />
      </tr>
    );
  return (
    <>
      <section class="panel" aria-labelledby="range-title">
        <header class="panel-header">
          <h2 id="range-title">{t("range_title")}</h2>
          {range.isLoading.value && <span class="muted">{t("loading")}</span>}
        </header>
        <RangeForm
          range={range}
          csvHref={applied ? servicesPath(applied, { device: device.value, format: "csv" }) : null}
        />
        {range.error.value && <ErrorBanner detail={range.error.value}>{t("range_failed_first")}</ErrorBanner>}
      </section>
      <section class="panel" aria-labelledby="services-title" data-testid="services-panel">
        <header class="panel-header">
          <h2 id="services-title">{t("svc_title")}</h2>
          {bounds && <span class="muted" data-testid="services-range">{t("top_ips_range", bounds)}</span>}
          {model.isLoading.value && <span class="muted">{t("loading")}</span>}
        </header>
        <div class="table-toolbar">
          <label>
            {t("svc_device")}{" "}
            <select
              data-testid="svc-device"
              value={device.value === null ? "" : String(device.value)}
              onChange={(e) => {
                const value = e.currentTarget.value;
                device.value = value === "" ? null : Number(value);
              }}
            >
              <option value="">{t("svc_all_devices")}</option>
              {choices.map((c) => <option value={String(c.id)} key={c.id}>{c.label}</option>)}
            </select>
          </label>
        </div>
        {model.error.value && <ErrorBanner detail={model.error.value}>{t("svc_failed")}</ErrorBanner>}
        {json && !json.names_enabled && <p class="muted" data-testid="services-off">{t("svc_off")}</p>}
        {json && json.total.total_bytes === 0 && (
          <p class="muted" data-testid="services-empty">{t("svc_empty")}</p>
        )}
        {json && json.total.total_bytes > 0 && (
          <table class="top-ips table-cards svc-table" data-testid="services">
            <thead>
              <tr>
                <SortHeader sort={model} testIdPrefix="svc-sort-" column="name">
                  {t("svc_col_name")}
                </SortHeader>
                <SortHeader sort={model} testIdPrefix="svc-sort-" column="down" class="num down">
                  {labels.down}
                </SortHeader>
                <SortHeader sort={model} testIdPrefix="svc-sort-" column="up" class="num up">
                  {labels.up}
                </SortHeader>
                <SortHeader sort={model} testIdPrefix="svc-sort-" column="total" class="num">
                  {labels.total}
                </SortHeader>
                <th scope="col" class="share-col">{labels.share}</th>
              </tr>
            </thead>
            <tbody>
              {rows.flatMap((s) => {
                const isOpen = open.has(s.name);
                const row = (
                  <tr key={s.name} data-service={s.name}>
                    <td class="card-title svc-cell">
                      <ServiceToggle
                        service={s}
                        isOpen={isOpen}
                        onToggle={() => model.toggle(s.name)}
                      />
                    </td>
                    <BytesCell fmt={fmt} bytes={s.down_bytes} label={labels.down} class="down" />
                    <BytesCell fmt={fmt} bytes={s.up_bytes} label={labels.up} class="up" />
                    <BytesCell fmt={fmt} bytes={s.total_bytes} label={labels.total} />
                    <ShareCell
                      up={s.up_bytes}
                      down={s.down_bytes}
                      share={shareOf(s.total_bytes)}
                      label={labels.share}
                      percent={percent}
                    />
                  </tr>
                );
                if (!isOpen) {
                  return [row];
                }
                return [
                  row,
                  <tr key={`${s.name} hosts`} class="svc-hosts-row" data-hosts-of={s.name}>
                    <td colSpan={5}>
                      <HostList hosts={s.hosts} />
                    </td>
                  </tr>,
                ];
              })}
            </tbody>
            <tfoot>
              {partRow(json.other, t("svc_other"), t("svc_other_help"), "services-other")}
              {partRow(json.unknown, t("svc_unknown"), t("svc_unknown_help"), "services-unknown")}
            </tfoot>
          </table>
        )}
      </section>
    </>
  );
}
