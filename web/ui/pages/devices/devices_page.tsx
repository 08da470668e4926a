/**
 * Route "/devices" (issue 14): which local device used the internet over a range, as nlbwmon's table but with
 * history. The same range picker and quick buttons as the dashboard (its address "#/devices?start=…"), a
 * sortable table (name edited in place, vendor, MAC, addresses, download, upload, total, share, last seen)
 * with the exact "other" row, and a device's own chart and addresses below it. Cards on a phone.
 */
import { useModel } from "@preact/signals";
import { useState } from "preact/hooks";
import { useApp, useT } from "../../app_context.ts";
import { ErrorBanner } from "../../components/error_banner.tsx";
import { RangeForm } from "../../components/range_panel.tsx";
import { useByteFormat } from "../../components/use_byte_format.ts";
import { rangeFromHash } from "../../lib/range_link.ts";
import { rangeBounds } from "../../lib/range_steps.ts";
import { RangeModel } from "../../models/range_model.ts";
import { DeviceDetail } from "./device_detail.tsx";
import { deviceLabel, DevicesModel, devicesPath } from "./devices_model.ts";
import { relativeTime } from "./relative_time.ts";
import { NameCell } from "../../components/name_cell.tsx";
import { BytesCell, ShareCell, SortHeader } from "../../components/table_cells.tsx";

/** Addresses shown in a row; the rest is "+N" (the detail lists them all). */
const SHOWN_IPS = 2;

export function DevicesPage() {
  const t = useT();
  const fmt = useByteFormat();
  const { prefs, health } = useApp();
  const range = useModel(() =>
    new RangeModel(health.timeZone, rangeFromHash(location.hash), "/devices", false)
  );
  const model = useModel(() => new DevicesModel(range.applied));
  const [openId, setOpenId] = useState<number | null>(null);
  const applied = range.applied.value;
  const zone = health.timeZone.value;
  const lang = prefs.lang.value;
  const json = model.result.value;
  const rows = model.sorted.value;
  const totalBytes = json
    ? json.devices.reduce((sum, d) => sum + d.total_bytes, 0) + json.other.total_bytes
    : 0;
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  const shareOf = (bytes: number) => (totalBytes > 0 ? bytes / totalBytes : 0);
  const nowSec = Date.now() / 1000;
  const labels = {
    vendor: t("dev_col_vendor"),
    mac: t("dev_col_mac"),
    ips: t("dev_col_addresses"),
    down: `▼ ${t("download")}`,
    up: `▲ ${t("upload")}`,
    total: t("total"),
    share: t("top_ips_share"),
    seen: t("dev_col_last_seen"),
  };
  const bounds = applied && zone ? rangeBounds(applied, zone) : null;
  return (
    <>
      <section class="panel" aria-labelledby="range-title">
        <header class="panel-header">
          <h2 id="range-title">{t("range_title")}</h2>
          {range.isLoading.value && <span class="muted">{t("loading")}</span>}
        </header>
        <RangeForm range={range} csvHref={applied ? devicesPath(applied, "csv") : null} />
        {range.error.value && <ErrorBanner detail={range.error.value}>{t("range_failed_first")}</ErrorBanner>}
      </section>
      <section class="panel" aria-labelledby="devices-title" data-testid="devices-panel">
        <header class="panel-header">
          <h2 id="devices-title">{t("dev_title")}</h2>
          {bounds && <span class="muted" data-testid="devices-range">{t("top_ips_range", bounds)}</span>}
          {model.isLoading.value && <span class="muted">{t("loading")}</span>}
        </header>
        {model.error.value && <ErrorBanner detail={model.error.value}>{t("dev_failed")}</ErrorBanner>}
        {model.renameError.value && (
          <p class="error" role="alert">{t("mon_rename_failed", { message: model.renameError.value })}</p>
        )}
        {json && json.devices.length === 0 && (
          <p class="muted" data-testid="devices-empty">{t("dev_empty")}</p>
        )}
        {rows.length > 0 && json && (
          <table class="top-ips table-cards dev-table" data-testid="devices">
            <thead>
              <tr>
                <SortHeader sort={model} testIdPrefix="dev-sort-" column="name">
                  {t("dev_col_name")}
                </SortHeader>
                <th scope="col">{labels.vendor}</th>
                <SortHeader sort={model} testIdPrefix="dev-sort-" column="mac">{labels.mac}</SortHeader>
                <th scope="col">{labels.ips}</th>
                <SortHeader sort={model} testIdPrefix="dev-sort-" column="down" class="num down">
                  {labels.down}
                </SortHeader>
                <SortHeader sort={model} testIdPrefix="dev-sort-" column="up" class="num up">
                  {labels.up}
                </SortHeader>
                <SortHeader sort={model} testIdPrefix="dev-sort-" column="total" class="num">
                  {labels.total}
                </SortHeader>
                <th scope="col" class="share-col">{labels.share}</th>
                <SortHeader sort={model} testIdPrefix="dev-sort-" column="last_seen">
                  {labels.seen}
                </SortHeader>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.key} data-key={d.key} data-id={d.id ?? ""}>
                  <NameCell
                    name={d.name}
                    unnamedText={t("dev_unnamed")}
                    label={t("dev_rename", { mac: d.key })}
                    placeholder={t("dev_name_placeholder")}
                    testId="dev-name"
                    class="card-title dev-name"
                    isEditable={d.id !== null}
                    title={d.id === null ? t("dev_not_saved") : undefined}
                    onSave={(name) => model.rename(d.id!, name)}
                  />
                  <td data-label={labels.vendor}>{d.vendor ?? "—"}</td>
                  <td data-label={labels.mac} class="dev-mono">
                    {d.id === null ? d.key : (
                      <button
                        type="button"
                        class="dev-open"
                        data-testid="dev-open"
                        aria-label={t("dev_open", { name: deviceLabel(d) })}
                        onClick={() => setOpenId(d.id)}
                      >
                        {d.key}
                      </button>
                    )}
                    {d.is_randomized_mac && (
                      <span class="dev-flag" title={t("dev_randomized")} data-testid="dev-randomized">
                        {t("dev_randomized_mark")}
                      </span>
                    )}
                    {d.is_probably_router && (
                      <span class="dev-note" data-testid="dev-router">{t("dev_router")}</span>
                    )}
                  </td>
                  <td data-label={labels.ips} class="dev-mono dev-ips-cell" title={d.ips.join(" ")}>
                    {d.ips.slice(0, SHOWN_IPS).join(", ")}
                    {d.ips.length > SHOWN_IPS && <span class="muted">+{d.ips.length - SHOWN_IPS}</span>}
                  </td>
                  <BytesCell fmt={fmt} bytes={d.down_bytes} label={labels.down} class="down" />
                  <BytesCell fmt={fmt} bytes={d.up_bytes} label={labels.up} class="up" />
                  <BytesCell fmt={fmt} bytes={d.total_bytes} label={labels.total} />
                  <ShareCell
                    up={d.up_bytes}
                    down={d.down_bytes}
                    share={shareOf(d.total_bytes)}
                    label={labels.share}
                    percent={percent}
                  />
                  <td data-label={labels.seen}>
                    {d.online
                      ? <span class="dev-online">{t("mon_online")}</span>
                      : d.last_seen === null
                      ? "—"
                      : relativeTime(d.last_seen, nowSec, lang)}
                  </td>
                </tr>
              ))}
            </tbody>
            {json.other.total_bytes > 0 && (
              <tfoot>
                <tr class="others" data-testid="devices-other">
                  <th scope="row" class="card-title" title={t("dev_other_help")}>{t("dev_other")}</th>
                  <td />
                  <td />
                  <td />
                  <BytesCell fmt={fmt} bytes={json.other.down_bytes} label={labels.down} class="down" />
                  <BytesCell fmt={fmt} bytes={json.other.up_bytes} label={labels.up} class="up" />
                  <BytesCell fmt={fmt} bytes={json.other.total_bytes} label={labels.total} />
                  <ShareCell
                    up={json.other.up_bytes}
                    down={json.other.down_bytes}
                    share={shareOf(json.other.total_bytes)}
                    label={labels.share}
                    percent={percent}
                  />
                  <td />
                </tr>
              </tfoot>
            )}
          </table>
        )}
      </section>
      {openId !== null && applied && (
        <DeviceDetail
          id={openId}
          query={applied}
          onClose={() => setOpenId(null)}
        />
      )}
    </>
  );
}
