/**
 * One device over the page's range: its chart (GET /api/devices/:id, the series of /api/query), its services,
 * its heaviest remotes, its proxied traffic and every address seen behind it with first and last seen. Shown
 * below the table while open.
 */
import { useEffect, useState } from "preact/hooks";
import { useApp, useT } from "../../app_context.ts";
import { getJson, queryString } from "../../api.ts";
import { seriesColumns } from "../../charts/to_columns.ts";
import { ErrorBanner } from "../../components/error_banner.tsx";
import { TrafficChart } from "../../components/traffic_chart.tsx";
import { useByteFormat } from "../../components/use_byte_format.ts";
import { useChartSpec } from "../../components/use_chart_spec.ts";
import type { RangeQuery } from "../../lib/quick_ranges.ts";
import { messageOf } from "../../models/poll.ts";
import type { DeviceDetailJson } from "../../../api_types.ts";
import { DeviceServices } from "./device_services.tsx";
import { DeviceProxied } from "./device_proxied.tsx";
import { DeviceRemotes } from "./device_remotes.tsx";
import { deviceLabel } from "./devices_model.ts";

function dateTime(sec: number, zone: string, lang: string): string {
  return new Date(sec * 1000).toLocaleString(lang, {
    timeZone: zone,
    dateStyle: "medium",
    timeStyle: "short",
  });
}

/** The device `id` over `query`'s dates; `onClose` closes it. */
export function DeviceDetail(props: { id: number; query: RangeQuery; onClose: () => void }) {
  const t = useT();
  const fmt = useByteFormat();
  const { prefs, health } = useApp();
  const zone = health.timeZone.value;
  const { id, query } = props;
  const [detail, setDetail] = useState<DeviceDetailJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const spec = useChartSpec("stacked-bars", query.granularity);
  // It opens below the table, perhaps off screen: show the person where their click went.
  useEffect(() => document.getElementById("device-title")?.scrollIntoView({ block: "start" }), [id]);
  useEffect(() => {
    let isCurrent = true;
    const path = `/api/devices/${id}${
      queryString({ start: query.start, end: query.end, granularity: query.granularity })
    }`;
    getJson<DeviceDetailJson>(path).then(
      (json) => isCurrent && (setDetail(json), setError(null)),
      (e) => isCurrent && setError(messageOf(e)),
    );
    return () => {
      isCurrent = false;
    };
  }, [id, query.start, query.end, query.granularity]);
  const name = detail ? deviceLabel(detail.device) : "";
  return (
    <section class="panel" aria-labelledby="device-title" data-testid="device-detail">
      <header class="panel-header">
        <h2 id="device-title">{detail ? t("dev_detail_title", { name }) : t("loading")}</h2>
        <button type="button" data-testid="device-close" onClick={props.onClose}>{t("dev_close")}</button>
      </header>
      {error && <ErrorBanner detail={error}>{t("dev_failed")}</ErrorBanner>}
      {detail && zone && (
        <>
          <div class="summary-strip">
            <div class="strip-item up" title={fmt.exact(detail.summary.up_bytes)}>
              <span class="muted">▲ {t("upload")}</span>
              <strong data-bytes={detail.summary.up_bytes}>{fmt.bytes(detail.summary.up_bytes)}</strong>
            </div>
            <div class="strip-item down" title={fmt.exact(detail.summary.down_bytes)}>
              <span class="muted">▼ {t("download")}</span>
              <strong data-bytes={detail.summary.down_bytes}>{fmt.bytes(detail.summary.down_bytes)}</strong>
            </div>
          </div>
          {spec && (
            <TrafficChart
              name="device"
              spec={spec}
              columns={seriesColumns(detail.series, zone)}
              title={t("dev_detail_title", { name })}
            />
          )}
          <DeviceServices id={id} query={query} />
          {detail.top_remotes && (
            <DeviceRemotes remotes={detail.top_remotes} otherBytes={detail.top_remotes_other_bytes ?? 0} />
          )}
          {detail.proxied && <DeviceProxied proxied={detail.proxied} />}
          <h3>{t("dev_addresses")}</h3>
          <table class="table-cards dev-ips" data-testid="device-ips">
            <thead>
              <tr>
                <th scope="col">{t("dev_col_address")}</th>
                <th scope="col">{t("dev_first_seen")}</th>
                <th scope="col">{t("dev_last_seen")}</th>
              </tr>
            </thead>
            <tbody>
              {detail.ips.map((ip) => (
                <tr key={ip.ip}>
                  <td class="card-title dev-mono">{ip.ip}</td>
                  <td data-label={t("dev_first_seen")}>{dateTime(ip.first_seen, zone, prefs.lang.value)}</td>
                  <td data-label={t("dev_last_seen")}>{dateTime(ip.last_seen, zone, prefs.lang.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
