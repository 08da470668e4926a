/**
 * A device's heaviest remote addresses over the page's range (issue 14 item 3: "what did the TV talk to last
 * night"), each with the host name last seen for it (issue 15), and the rest of its remotes as one row, from
 * GET /api/devices/:id's `top_remotes`. Shares are of the device's own total over those days.
 */
import { useApp, useT } from "../../app_context.ts";
import { BytesCell, ShareCell } from "../../components/table_cells.tsx";
import { useByteFormat } from "../../components/use_byte_format.ts";
import type { TopIpJson } from "../../../api_types.ts";

/** `remotes` heaviest first, and the bytes of every other remote of the device. */
export function DeviceRemotes(props: { remotes: readonly TopIpJson[]; otherBytes: number }) {
  const t = useT();
  const fmt = useByteFormat();
  const { prefs } = useApp();
  const { remotes, otherBytes } = props;
  const total = remotes.reduce((n, r) => n + r.bytes, otherBytes);
  const percent = new Intl.NumberFormat(prefs.lang.value, { style: "percent", maximumFractionDigits: 1 });
  const labels = {
    up: `▲ ${t("upload")}`,
    down: `▼ ${t("download")}`,
    total: t("top_ips_bytes"),
    share: t("top_ips_share"),
  };
  return (
    <>
      <h3>{t("top_ips_title")}</h3>
      {remotes.length === 0 && otherBytes === 0
        ? <p class="muted">{t("top_ips_empty")}</p>
        : (
          <table class="top-ips table-cards" data-testid="device-remotes">
            <thead>
              <tr>
                <th scope="col">{t("top_ips_ip")}</th>
                <th scope="col" class="num up">{labels.up}</th>
                <th scope="col" class="num down">{labels.down}</th>
                <th scope="col" class="num">{labels.total}</th>
                <th scope="col" class="share-col">{labels.share}</th>
              </tr>
            </thead>
            <tbody>
              {remotes.map((r) => (
                <tr key={r.ip} data-ip={r.ip}>
                  {
                    /* The cell of top_ips_table.tsx: shared, it would cost the first load 46 bytes gzipped that
                      its budget (web/build.ts) does not have. The name is decoded by the server, escaped here. */
                  }
                  <td class="ip card-title">
                    <span class="address" title={r.ip}>{r.ip}</span>
                    {r.hostname && (
                      <span class="address muted" title={r.hostname} data-testid="device-remote-hostname">
                        {r.hostname}
                      </span>
                    )}
                  </td>
                  <BytesCell fmt={fmt} bytes={r.up_bytes} label={labels.up} class="up" />
                  <BytesCell fmt={fmt} bytes={r.down_bytes} label={labels.down} class="down" />
                  <BytesCell fmt={fmt} bytes={r.bytes} label={labels.total} />
                  <ShareCell
                    up={r.up_bytes}
                    down={r.down_bytes}
                    share={total > 0 ? r.bytes / total : 0}
                    label={labels.share}
                    percent={percent}
                  />
                </tr>
              ))}
            </tbody>
            {otherBytes > 0 && (
              <tfoot>
                <tr class="others" data-testid="device-remotes-others">
                  <th scope="row" class="card-title" colSpan={3} title={t("top_ips_others_help")}>
                    {t("top_ips_others")}
                  </th>
                  <BytesCell fmt={fmt} bytes={otherBytes} label={labels.total} />
                  <td class="share-col" data-label={labels.share}>{percent.format(otherBytes / total)}</td>
                </tr>
              </tfoot>
            )}
          </table>
        )}
    </>
  );
}
