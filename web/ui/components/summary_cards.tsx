/** The five cards: today (with up/down), this month, this year, today's upload, today's download. */
import type { ComponentChildren } from "preact";
import { useT } from "../app_context.ts";
import type { MessageKey } from "../i18n/i18n.ts";
import type { SummaryModel } from "../models/summary_model.ts";
import { ErrorBanner } from "./error_banner.tsx";
import { useByteFormat } from "./use_byte_format.ts";

function Card(
  props: { id: string; title: string; bytes: number | null; detail?: ComponentChildren; tone?: string },
) {
  const fmt = useByteFormat();
  const { bytes } = props;
  return (
    <section
      class={`card ${props.tone ?? ""}`}
      data-testid={`card-${props.id}`}
      data-bytes={bytes ?? ""}
      title={bytes == null ? undefined : fmt.exact(bytes)}
    >
      <h2>{props.title}</h2>
      <p class="card-value">{bytes == null ? "—" : fmt.bytes(bytes)}</p>
      {props.detail && <p class="card-detail">{props.detail}</p>}
    </section>
  );
}

/** Values straight from /api/summary (which includes unsaved deltas). */
export function SummaryCards(props: { model: InstanceType<typeof SummaryModel> }) {
  const t = useT();
  const fmt = useByteFormat();
  const summary = props.model.summary.value;
  const error = props.model.error.value;
  const total = (key: "today" | "month" | "year", title: MessageKey) => {
    const totals = summary?.[key];
    const detail = totals && (
      <>
        <span class="up">▲ {fmt.bytes(totals.up_bytes)}</span>{" "}
        <span class="down">▼ {fmt.bytes(totals.down_bytes)}</span>
      </>
    );
    return <Card id={key} title={t(title)} bytes={totals?.total_bytes ?? null} detail={detail} />;
  };
  // The error is a banner above the cards, not a cell of their grid (issue 13).
  return (
    <>
      {error && <ErrorBanner detail={error}>{t("cards_failed")}</ErrorBanner>}
      <div class="cards">
        {total("today", "card_today")}
        {total("month", "card_month")}
        {total("year", "card_year")}
        <Card
          id="today-up"
          title={`▲ ${t("card_today_up")}`}
          bytes={summary?.today.up_bytes ?? null}
          tone="up"
        />
        <Card
          id="today-down"
          title={`▼ ${t("card_today_down")}`}
          bytes={summary?.today.down_bytes ?? null}
          tone="down"
        />
      </div>
    </>
  );
}
