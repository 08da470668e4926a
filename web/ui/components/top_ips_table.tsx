/**
 * The remote addresses of the applied range, down to one hour: rank (gold, silver and bronze for the first
 * three), address with the host name last seen for it, upload, download, total and share, sortable by each byte column and the address, with a
 * search over the addresses, an "all other addresses" row and more rows on demand. On a phone each row is a
 * card (styles.css `.table-cards`).
 */
import { useModel } from "@preact/signals";
import { useApp, useT } from "../app_context.ts";
import { otherRemotes } from "../lib/rank_remotes.ts";
import { rangeBounds } from "../lib/range_steps.ts";
import type { Range } from "../models/range_model.ts";
import { TopRemotesModel } from "../models/top_remotes_model.ts";
import { ErrorBanner } from "./error_banner.tsx";
import { useByteFormat } from "./use_byte_format.ts";
import { BytesCell, ShareCell, SortHeader } from "./table_cells.tsx";

const MEDALS = ["gold", "silver", "bronze"] as const;

/** The table of the range `range` shows; its rows, sort and search live while it is shown. */
export function TopIpsTable(props: { range: Range }) {
  const t = useT();
  const fmt = useByteFormat();
  const { prefs, health } = useApp();
  const { range } = props;
  const model = useModel(() => new TopRemotesModel(range, health.timeZone));
  const applied = range.applied.value;
  const zone = health.timeZone.value;
  const view = range.view.value;
  const rows = model.rows.value;
  const ranked = model.ranked.value;
  const search = model.search.value;
  const spanBytes = view ? view.upBytes + view.downBytes : 0;
  const others = rows && view ? otherRemotes(rows, view) : null;
  const otherBytes = others ? others.upBytes + others.downBytes : 0;
  const percent = new Intl.NumberFormat(prefs.lang.value, { style: "percent", maximumFractionDigits: 1 });
  const shareOf = (bytes: number) => (spanBytes > 0 ? bytes / spanBytes : 0);
  const labels = {
    ip: t("top_ips_ip"),
    up: `▲ ${t("upload")}`,
    down: `▼ ${t("download")}`,
    total: t("top_ips_bytes"),
    share: t("top_ips_share"),
  };
  const bounds = applied && zone ? rangeBounds(applied, zone) : null;
  return (
    <section class="panel" aria-labelledby="top-ips-title" data-testid="top-ips-panel">
      <header class="panel-header">
        <h2 id="top-ips-title">{t("top_ips_title")}</h2>
        {bounds && <span class="muted" data-testid="top-ips-range">{t("top_ips_range", bounds)}</span>}
        {model.isLoading.value && <span class="muted">{t("loading")}</span>}
      </header>
      {model.error.value && <ErrorBanner detail={model.error.value}>{t("top_ips_more_failed")}</ErrorBanner>}
      {rows && rows.length > 0 && (
        <div class="table-toolbar">
          <input
            type="search"
            data-testid="top-ips-search"
            aria-label={t("top_ips_search")}
            placeholder={t("top_ips_search_placeholder")}
            value={search}
            onInput={(e) => model.setSearch(e.currentTarget.value)}
          />
          <span class="muted" data-testid="top-ips-count">
            {search.trim()
              ? t("top_ips_matches", { count: ranked.length, total: rows.length })
              : t("top_ips_count", { count: rows.length })}
          </span>
        </div>
      )}
      {rows && rows.length === 0 && <p class="muted">{t("top_ips_empty")}</p>}
      {rows && rows.length > 0 && ranked.length === 0 && (
        <p class="muted">{t("top_ips_no_match", { text: search.trim() })}</p>
      )}
      {ranked.length > 0 && (
        <table class="top-ips table-cards" data-testid="top-ips">
          <thead>
            <tr>
              <th scope="col" class="rank-col">{t("top_ips_rank")}</th>
              <SortHeader sort={model} testIdPrefix="top-ips-sort-" column="ip">{labels.ip}</SortHeader>
              <SortHeader sort={model} testIdPrefix="top-ips-sort-" column="up" class="num up">
                {labels.up}
              </SortHeader>
              <SortHeader sort={model} testIdPrefix="top-ips-sort-" column="down" class="num down">
                {labels.down}
              </SortHeader>
              <SortHeader sort={model} testIdPrefix="top-ips-sort-" column="total" class="num">
                {labels.total}
              </SortHeader>
              <th scope="col" class="share-col">{labels.share}</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map(({ rank, row }) => (
              <tr key={row.ip} data-ip={row.ip}>
                <td class="rank-col">
                  <span class={`rank ${MEDALS[rank - 1] ?? ""}`}>{rank}</span>
                </td>
                <td class="ip card-title">
                  <span class="address" title={row.ip}>{row.ip}</span>
                  {/* The name last seen for it (issue 15): decoded by the server, escaped as Preact text. */}
                  {row.hostname && (
                    <span class="address muted" title={row.hostname} data-testid="top-ips-hostname">
                      {row.hostname}
                    </span>
                  )}
                </td>
                <BytesCell fmt={fmt} bytes={row.up_bytes} label={labels.up} class="up" />
                <BytesCell fmt={fmt} bytes={row.down_bytes} label={labels.down} class="down" />
                <BytesCell fmt={fmt} bytes={row.bytes} label={labels.total} />
                <ShareCell
                  up={row.up_bytes}
                  down={row.down_bytes}
                  share={shareOf(row.bytes)}
                  label={labels.share}
                  percent={percent}
                />
              </tr>
            ))}
          </tbody>
          {others && otherBytes > 0 && !search.trim() && (
            <tfoot>
              <tr class="others" data-testid="top-ips-others">
                <td class="rank-col" />
                <th scope="row" class="card-title" title={t("top_ips_others_help")}>{t("top_ips_others")}</th>
                <BytesCell fmt={fmt} bytes={others.upBytes} label={labels.up} class="up" />
                <BytesCell fmt={fmt} bytes={others.downBytes} label={labels.down} class="down" />
                <BytesCell fmt={fmt} bytes={otherBytes} label={labels.total} />
                <ShareCell
                  up={others.upBytes}
                  down={others.downBytes}
                  share={shareOf(otherBytes)}
                  label={labels.share}
                  percent={percent}
                />
              </tr>
            </tfoot>
          )}
        </table>
      )}
      {model.nextLimit.value !== null && (
        <button type="button" class="more" data-testid="top-ips-more" onClick={model.showMore}>
          {t("top_ips_more", { count: model.nextLimit.value })}
        </button>
      )}
    </section>
  );
}
