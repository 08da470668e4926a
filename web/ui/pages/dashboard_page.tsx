/** The main page: cards, custom range with top remote IPs, and the history charts. */
import { useModel } from "@preact/signals";
import { useApp } from "../app_context.ts";
import { FirstRunPanel } from "../components/first_run_panel.tsx";
import { HistoryCharts } from "../components/history_charts.tsx";
import { lazyPage } from "../components/lazy_page.tsx";
import { RangePanel } from "../components/range_panel.tsx";
import { SummaryCards } from "../components/summary_cards.tsx";
import { TopDevicesCard } from "../components/top_devices_card.tsx";
import { TopIpsTable } from "../components/top_ips_table.tsx";
import { rangeFromHash } from "../lib/range_link.ts";
import { HistoryModel } from "../models/history_model.ts";
import { PlansModel } from "../models/plans_model.ts";
import { type Range, RangeModel } from "../models/range_model.ts";
import { SummaryModel } from "../models/summary_model.ts";
import { MonitoringWidget } from "./monitoring/monitoring_widget.tsx";

/**
 * The "Top services" card (issue 15), loaded through the Services page's chunk: one lazy entry for both keeps
 * the first load's shared chunks as they were (a second entry split them, at a cost over web/build.ts's budget).
 */
const TopServicesCard = lazyPage<{ range: Range }>(async () => {
  const { TopServicesCard } = await import("./services/services_page.tsx");
  return TopServicesCard;
});

/** The plan cards: fetched only when there are plans (lazy_page.tsx), as most installs have none. */
const PlanCards = lazyPage(async () => {
  const { PlanCards } = await import("../components/plan_card.tsx");
  return PlanCards;
});

/** Route "/". Its models live while the page is shown. */
export function DashboardPage() {
  const { health } = useApp();
  const summary = useModel(SummaryModel);
  const history = useModel(HistoryModel);
  const plans = useModel(PlansModel);
  const range = useModel(() => new RangeModel(health.timeZone, rangeFromHash(location.hash)));
  return (
    <>
      <SummaryCards model={summary} />
      {plans.json.value?.plans.length ? <PlanCards plans={plans} /> : null}
      <FirstRunPanel range={range} summary={summary} />
      <MonitoringWidget />
      <RangePanel range={range} plans={plans} />
      <TopDevicesCard range={range} />
      <TopServicesCard range={range} />
      <TopIpsTable range={range} />
      <HistoryCharts
        history={history}
        firstDate={range.limits.value === null ? undefined : range.limits.value.min}
        onPick={(first, last) => {
          range.narrow(first, last);
          // The fixed charts sit below the range panel: show the person where their click went.
          document.getElementById("range-title")?.scrollIntoView({ block: "start" });
        }}
      />
    </>
  );
}
