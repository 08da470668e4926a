/**
 * The dashboard's "Top services" card (issue 15): the heaviest services of the applied range with share bars,
 * hosts on expand, and a link to the Services page for the same dates. Hidden while nothing is named (no
 * service yet, or SERVICE_NAMES=off). Loaded lazily within the Services page's chunk, with the services
 * strings: the dashboard's first load does not carry it (web/build.ts).
 */
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api.ts";
import { rangeHash } from "../lib/range_link.ts";
import type { Range } from "../models/range_model.ts";
import { ServiceList } from "../pages/services/service_list.tsx";
import { useServicesT } from "../pages/services/services_messages.ts";
import { servicesPath } from "../pages/services/services_model.ts";
import type { ServicesJson } from "../../api_types.ts";

const TOP_SERVICES = 5;

export function TopServicesCard(props: { range: Range }) {
  const t = useServicesT();
  const applied = props.range.applied.value;
  const [json, setJson] = useState<ServicesJson | null>(null);
  useEffect(() => {
    if (!applied) return;
    let isCurrent = true;
    // A failed load hides the card: the range panel above already states that the server is unreachable.
    getJson<ServicesJson>(servicesPath(applied, { limit: TOP_SERVICES })).then(
      (answer) => isCurrent && setJson(answer),
      () => isCurrent && setJson(null),
    );
    return () => {
      isCurrent = false;
    };
  }, [applied]);
  if (!applied || !json || json.services.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="top-services-title" data-testid="top-services">
      <header class="panel-header">
        <h2 id="top-services-title">{t("svc_top_title")}</h2>
        <a
          href={rangeHash(
            { start: applied.start, end: applied.end, granularity: applied.granularity },
            "/services",
          )}
          data-testid="top-services-link"
        >
          {t("svc_all")}
        </a>
      </header>
      <ServiceList json={json} limit={TOP_SERVICES} testId="top-services-list" />
    </section>
  );
}
