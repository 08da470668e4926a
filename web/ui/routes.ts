/**
 * The client-side route table: hash path → page. To add a page, create it under pages/, add its title key
 * to every i18n file and one entry here; the header's navigation follows this table. Every page but the
 * dashboard is a lazyPage(): its own chunk, fetched on the first visit, so the first load stays within the
 * budget of web/build.ts.
 */
import type { ComponentType } from "preact";
import { lazyPage } from "./components/lazy_page.tsx";
import type { MessageKey } from "./i18n/i18n.ts";
import { DashboardPage } from "./pages/dashboard_page.tsx";

/** One page of the app. */
export interface Route {
  /** Path after "#", e.g. "/monitoring". */
  readonly path: string;
  readonly titleKey: MessageKey;
  readonly page: ComponentType;
}

/** Routes in navigation order; the first one is also the fallback for unknown paths. */
export const ROUTES: readonly Route[] = [
  { path: "/", titleKey: "nav_dashboard", page: DashboardPage },
  {
    path: "/monitoring",
    titleKey: "nav_monitoring",
    page: lazyPage(async () => {
      const { MonitoringPage } = await import("./pages/monitoring/monitoring_page.tsx");
      return MonitoringPage;
    }),
  },
  {
    path: "/devices",
    titleKey: "nav_devices",
    page: lazyPage(async () => {
      const { DevicesPage } = await import("./pages/devices/devices_page.tsx");
      return DevicesPage;
    }),
  },
  {
    path: "/services",
    titleKey: "nav_services",
    page: lazyPage(async () => {
      const { ServicesPage } = await import("./pages/services/services_page.tsx");
      return ServicesPage;
    }),
  },
  {
    path: "/plans",
    titleKey: "nav_plans",
    page: lazyPage(async () => {
      const { PlansPage } = await import("./pages/plans/plans_page.tsx");
      return PlansPage;
    }),
  },
];

/** The route for `path`, or the first route. */
export function routeFor(path: string): Route {
  return ROUTES.find((r) => r.path === path) ?? ROUTES[0];
}
