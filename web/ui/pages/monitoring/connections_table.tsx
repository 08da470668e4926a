/**
 * Every live connection of the core (like metacubexd's and zashboard's): a search box, filters by client,
 * host, chain and network, sortable columns, at most MAX_SHOWN_CONNECTIONS rows, cards on phones. Behind auth
 * each row can be closed on the core, after a confirmation.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useApp, useT } from "../../app_context.ts";
import { type ByteFormatter, useByteFormat } from "../../components/use_byte_format.ts";
import type { MessageKey } from "../../i18n/i18n.ts";
import { formatDuration } from "./format_time.ts";
import type { ConnectionSortKey, LiveConnection } from "./live_connections.ts";
import type { LiveConnections } from "./live_connections_model.ts";
import { Modal } from "./modal.tsx";
import { HostText, SortHeaders } from "./table_parts.tsx";

/** What a cell needs besides its row. */
interface CellContext {
  readonly bytes: ByteFormatter;
  readonly nameOf: (ip: string) => string;
  /** "2m 5s" since the connection's start, "—" when unknown. */
  readonly durationOf: (c: LiveConnection) => string;
}

/** Each column: the key it sorts by, its label, its cell, and the cell's class ("up" and "down" colour it). */
const COLUMNS: readonly [
  ConnectionSortKey,
  MessageKey,
  (c: LiveConnection, x: CellContext) => ComponentChildren,
  string?,
][] = [
  ["host", "mon_col_destination", (c) => <HostText text={c.destination} />, "mon-lead"],
  ["client", "mon_col_client", (c, x) => <HostText text={x.nameOf(c.client)} />],
  ["chain", "mon_col_chain", (c) => c.chain],
  ["network", "mon_col_network", (c) => c.network],
  ["duration", "mon_col_duration", (c, x) => x.durationOf(c)],
  ["up_speed", "mon_col_up_speed", (c, x) => x.bytes.rate(c.upBps), "up"],
  ["down_speed", "mon_col_down_speed", (c, x) => x.bytes.rate(c.downBps), "down"],
  ["up", "upload", (c, x) => x.bytes.bytes(c.upBytes), "up"],
  ["down", "download", (c, x) => x.bytes.bytes(c.downBytes), "down"],
];

const NETWORKS = ["tcp", "udp"];

/** A filter's choices plus its current value, which the connections may have left: the select keeps showing it. */
function choicesWith(choices: readonly string[], current: string): string[] {
  return [...new Set([...choices, ...current ? [current] : []])];
}

/** A text filter of the table; its test id is `conn-<part>`. */
function FilterSearch(props: { model: LiveConnections; part: "search" | "host"; label: string }) {
  const { model, part, label } = props;
  return (
    <input
      type="search"
      data-testid={`conn-${part}`}
      aria-label={label}
      placeholder={label}
      value={model.filter.value[part]}
      onInput={(e) => model.setFilter({ [part]: e.currentTarget.value })}
    />
  );
}

/** A choice filter of the table, "all" first; its test id is `conn-<part>`. */
function FilterSelect(props: {
  model: LiveConnections;
  part: "client" | "chain" | "network";
  label: string;
  allLabel: string;
  options: readonly string[];
  optionLabel?: (value: string) => string;
}) {
  const { model, part, optionLabel = (value) => value } = props;
  return (
    <select
      data-testid={`conn-${part}`}
      aria-label={props.label}
      value={model.filter.value[part]}
      onChange={(e) => model.setFilter({ [part]: e.currentTarget.value })}
    >
      <option value="">{props.allLabel}</option>
      {props.options.map((value) => <option value={value} key={value}>{optionLabel(value)}</option>)}
    </select>
  );
}

/** Asks before closing `connection` on the core. */
function CloseDialog(props: {
  connection: LiveConnection;
  clientName: string;
  onCancel: () => void;
  onConfirm: () => Promise<void>;
}) {
  const t = useT();
  const { connection } = props;
  const [isBusy, setBusy] = useState(false);
  return (
    <Modal labelledBy="mon-close-title" onClose={props.onCancel} testId="conn-close-dialog">
      <h2 id="mon-close-title">{t("mon_close_title")}</h2>
      <p>
        <HostText text={connection.destination} /> · {props.clientName} · {connection.chain}
      </p>
      <p class="muted">{t("mon_close_warning")}</p>
      <div class="mon-dialog-actions">
        <button type="button" onClick={props.onCancel}>{t("mon_cancel")}</button>
        <button
          type="button"
          class="danger"
          data-testid="conn-close-confirm"
          disabled={isBusy}
          onClick={async () => {
            setBusy(true);
            await props.onConfirm();
          }}
        >
          {t("mon_close")}
        </button>
      </div>
    </Modal>
  );
}

/** The table; `canClose` offers the close buttons (auth on and logged in). */
export function ConnectionsTable(
  props: { model: LiveConnections; names: ReadonlyMap<string, string>; canClose: boolean },
) {
  const t = useT();
  const lang = useApp().prefs.lang.value;
  const bytes = useByteFormat();
  const { model, names, canClose } = props;
  const { view, total, choices, filter, receivedAtSec, closeError } = model;
  const [closing, setClosing] = useState<LiveConnection | null>(null);
  const { rows, matching } = view.value;
  const f = filter.value;
  const number = new Intl.NumberFormat(lang);
  const nameOf = (ip: string) => names.get(ip) ?? ip;
  const context: CellContext = {
    bytes,
    nameOf,
    durationOf: (c) => c.startSec === null ? "—" : formatDuration(receivedAtSec.value - c.startSec, lang),
  };
  return (
    <section class="panel" aria-labelledby="mon-conns-title" data-testid="mon-live-connections">
      <header class="panel-header">
        <h2 id="mon-conns-title">{t("mon_connections")}</h2>
        <span class="muted" data-testid="conn-total">
          {t("mon_conn_total", { count: number.format(total.value) })}
        </span>
      </header>
      <div class="mon-filters">
        <FilterSearch model={model} part="search" label={t("mon_conn_search")} />
        <FilterSelect
          model={model}
          part="client"
          label={t("mon_col_client")}
          allLabel={t("mon_all_clients")}
          options={choicesWith(choices.value.clients, f.client)}
          optionLabel={(ip) => names.has(ip) ? `${names.get(ip)} (${ip})` : ip}
        />
        <FilterSearch model={model} part="host" label={t("mon_filter_host")} />
        <FilterSelect
          model={model}
          part="chain"
          label={t("mon_col_chain")}
          allLabel={t("mon_all_chains")}
          options={choicesWith(choices.value.chains, f.chain)}
        />
        <FilterSelect
          model={model}
          part="network"
          label={t("mon_col_network")}
          allLabel={t("mon_all_networks")}
          options={NETWORKS}
          optionLabel={(network) => network.toUpperCase()}
        />
      </div>
      {closeError.value && (
        <p class="error" role="alert">{t("mon_close_failed", { message: closeError.value })}</p>
      )}
      {rows.length === 0
        ? <p class="muted">{t(total.value === 0 ? "mon_conn_none" : "mon_conn_no_match")}</p>
        : (
          // A wide row (long host, chain and rule) scrolls inside its card, never the page.
          <div style={{ overflowX: "auto" }}>
            <table class="mon-table mon-cards" data-testid="conn-table">
              <thead>
                <tr>
                  <SortHeaders columns={COLUMNS} sort={model} testIdPrefix="conn-sort-" />
                  {canClose && (
                    <th scope="col">
                      <span class="visually-hidden">{t("mon_close")}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} data-id={c.id} title={c.rule}>
                    {COLUMNS.map(([key, label, render, tone]) => (
                      <td key={key} data-label={t(label)} class={tone}>{render(c, context)}</td>
                    ))}
                    {canClose && (
                      <td class="mon-action">
                        <button
                          type="button"
                          class="mon-icon"
                          data-testid="conn-close"
                          aria-label={t("mon_close_one", { host: c.destination })}
                          title={t("mon_close")}
                          onClick={() => setClosing(c)}
                        >
                          ✕
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      {matching > rows.length && (
        <p class="muted" data-testid="conn-hidden">
          {t("mon_conn_hidden", { shown: number.format(rows.length), count: number.format(matching) })}
        </p>
      )}
      {closing && (
        <CloseDialog
          connection={closing}
          clientName={nameOf(closing.client)}
          onCancel={() => setClosing(null)}
          onConfirm={async () => {
            await model.close(closing.id);
            setClosing(null);
          }}
        />
      )}
    </section>
  );
}
