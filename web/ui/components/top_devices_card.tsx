/**
 * The dashboard's "Top devices" card (issue 14): the five heaviest devices of the applied range, with their
 * names and share bars, and a link to the Devices page for the same dates. Hidden when no device is known.
 */
import { useEffect, useState } from "preact/hooks";
import { useApp, useT } from "../app_context.ts";
import { getJson, queryString } from "../api.ts";
import { rangeHash } from "../lib/range_link.ts";
import type { Range } from "../models/range_model.ts";
import type { DevicesJson } from "../../api_types.ts";
import { useByteFormat } from "./use_byte_format.ts";

const TOP_DEVICES = 5;

export function TopDevicesCard(props: { range: Range }) {
  const t = useT();
  const fmt = useByteFormat();
  const { prefs } = useApp();
  const applied = props.range.applied.value;
  const [json, setJson] = useState<DevicesJson | null>(null);
  useEffect(() => {
    if (!applied) return;
    let isCurrent = true;
    // A failed load hides the card: the range panel above already states that the server is unreachable.
    getJson<DevicesJson>(`/api/devices${queryString({ start: applied.start, end: applied.end })}`).then(
      (answer) => isCurrent && setJson(answer),
      () => isCurrent && setJson(null),
    );
    return () => {
      isCurrent = false;
    };
  }, [applied]);
  if (!applied || !json || json.devices.length === 0) return null;
  const total = json.devices.reduce((sum, d) => sum + d.total_bytes, 0) + json.other.total_bytes;
  const top = [...json.devices].sort((a, b) => b.total_bytes - a.total_bytes).slice(0, TOP_DEVICES);
  const percent = new Intl.NumberFormat(prefs.lang.value, { style: "percent", maximumFractionDigits: 1 });
  return (
    <section class="panel" aria-labelledby="top-devices-title" data-testid="top-devices">
      <header class="panel-header">
        <h2 id="top-devices-title">{t("dev_top_title")}</h2>
        <a
          href={rangeHash(
            { start: applied.start, end: applied.end, granularity: applied.granularity },
            "/devices",
          )}
          data-testid="top-devices-link"
        >
          {t("dev_top_all")}
        </a>
      </header>
      <ol class="top-devices">
        {top.map((d) => {
          const share = total > 0 ? d.total_bytes / total : 0;
          return (
            <li key={d.key} data-key={d.key}>
              <span class="top-device-name" title={d.key}>{d.name ?? d.key}</span>
              <span class="share" aria-hidden="true">
                <span class="share-bar" style={{ width: `${Math.min(100, share * 100)}%` }}>
                  <span class="up-part" style={{ flexGrow: d.up_bytes }} />
                  <span class="down-part" style={{ flexGrow: d.down_bytes }} />
                </span>
              </span>
              <span class="num" data-bytes={d.total_bytes} title={fmt.exact(d.total_bytes)}>
                {fmt.bytes(d.total_bytes)} · {percent.format(share)}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
