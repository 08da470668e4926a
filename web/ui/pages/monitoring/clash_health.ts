/** Whether the server has a Clash part, read from /api/health (`clash` is null while CLASH_API_URL is unset). */
import type { HealthJson } from "../../api.ts";
import type { ClashStatusJson } from "../../../api_types.ts";

/**
 * The Clash status in a health answer: undefined before the first answer, null when CLASH_API_URL is unset
 * (then no /api/monitoring request is made at all), else the status.
 */
export function clashOfHealth(health: HealthJson | null): ClashStatusJson | null | undefined {
  if (health === null) return undefined;
  return health.clash ?? null;
}
