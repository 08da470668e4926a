/**
 * A device's services over the page's range (issue 15): its heaviest services with share bars (shares of the
 * device's own total) and hosts on expand, from GET /api/services?device=ID. Shown in the device's detail.
 */
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../../api.ts";
import { ErrorBanner } from "../../components/error_banner.tsx";
import { useByteFormat } from "../../components/use_byte_format.ts";
import type { RangeQuery } from "../../lib/quick_ranges.ts";
import { messageOf } from "../../models/poll.ts";
import type { ServicesJson } from "../../../api_types.ts";
import { ServiceList } from "../services/service_list.tsx";
import { useServicesT } from "../services/services_messages.ts";
import { servicesPath } from "../services/services_model.ts";

const DEVICE_SERVICES = 10;

/** The services of device `id` over `query`'s dates. */
export function DeviceServices(props: { id: number; query: RangeQuery }) {
  const t = useServicesT();
  const fmt = useByteFormat();
  const { id, query } = props;
  const [json, setJson] = useState<ServicesJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let isCurrent = true;
    getJson<ServicesJson>(servicesPath(query, { device: id, limit: DEVICE_SERVICES })).then(
      (answer) => isCurrent && (setJson(answer), setError(null)),
      (e) => isCurrent && setError(messageOf(e)),
    );
    return () => {
      isCurrent = false;
    };
  }, [id, query.start, query.end]);
  return (
    <div data-testid="device-services">
      <h3>{t("svc_title")}</h3>
      {error && <ErrorBanner detail={error}>{t("svc_failed")}</ErrorBanner>}
      {json && !json.names_enabled && <p class="muted">{t("svc_off")}</p>}
      {json && json.services.length > 0 && (
        <ServiceList json={json} limit={DEVICE_SERVICES} testId="device-services-list" />
      )}
      {json && json.unknown.total_bytes > 0 && (
        <p class="muted" title={t("svc_unknown_help")} data-testid="device-services-unknown">
          {t("svc_unknown")}:{" "}
          <span data-bytes={json.unknown.total_bytes}>{fmt.bytes(json.unknown.total_bytes)}</span>
        </p>
      )}
    </div>
  );
}
