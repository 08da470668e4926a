/**
 * The Plans page's state (issue 16): each plan's past periods (GET /api/plans/:id/periods), the alert delivery
 * log (GET /api/plans/deliveries), and adding, changing and deleting plans (POST, PUT, DELETE /api/plans). A
 * refused plan comes back as the field the server's 400 names, so the form marks that field.
 */
import { createModel, effect, signal } from "@preact/signals";
import { ApiError, fetchApi, getJson } from "../../api.ts";
import type { Plans } from "../../models/plans_model.ts";
import { messageOf, poll } from "../../models/poll.ts";
import type {
  AlertDeliveriesJson,
  AlertDeliveryJson,
  PlanBodyJson,
  PlanPastPeriodJson,
  PlanPeriodsJson,
} from "../../../api_types.ts";

const PERIOD_COUNT = 12;
const DELIVERY_LIMIT = 50;
const DELIVERIES_INTERVAL_MS = 30_000;

/** The fields of a plan body, as the server's 400 names them. */
export const PLAN_FIELDS = ["name", "period", "counts", "quota", "device", "alerts"] as const;
export type PlanField = typeof PLAN_FIELDS[number];

/** Why a save or delete failed: the server's words, and the field they name (null: none of the form's). */
export interface PlanProblem {
  readonly field: PlanField | null;
  readonly message: string;
}

const FIELD_REGEXP = new RegExp(`\\b(${PLAN_FIELDS.join("|")})\\b[^:\\s]*:`);

/** The problem of a failed request: its message without the "(HTTP 400)" tail, and the field a 400 names. */
export function planProblem(error: unknown): PlanProblem {
  const message = messageOf(error).replace(/ \(HTTP \d+\)$/, "");
  const isFieldError = error instanceof ApiError && error.status === 400;
  const field = isFieldError ? (FIELD_REGEXP.exec(message)?.[1] as PlanField | undefined) ?? null : null;
  return { field, message };
}

/** The Plans page over `plans` (the polled /api/plans). */
export const PlansPageModel = createModel((plans: Plans) => {
  /** Each plan's periods, oldest first, the current one last. */
  const periods = signal<Readonly<Record<string, readonly PlanPastPeriodJson[]>>>({});
  const periodsError = signal<string | null>(null);
  const deliveries = signal<readonly AlertDeliveryJson[] | null>(null);
  const deliveriesError = signal<string | null>(null);

  const loadPeriods = async (ids: readonly string[]) => {
    try {
      const answers = await Promise.all(
        ids.map((id) =>
          getJson<PlanPeriodsJson>(`/api/plans/${encodeURIComponent(id)}/periods?count=${PERIOD_COUNT}`)
        ),
      );
      periods.value = Object.fromEntries(answers.map((a) => [a.plan.id, a.periods]));
      periodsError.value = null;
    } catch (e) {
      periodsError.value = messageOf(e);
    }
  };
  const loadDeliveries = async () => {
    try {
      const json = await getJson<AlertDeliveriesJson>(`/api/plans/deliveries?limit=${DELIVERY_LIMIT}`);
      deliveries.value = json.deliveries;
      deliveriesError.value = null;
    } catch (e) {
      deliveriesError.value = messageOf(e);
    }
  };
  // The periods follow each answer of the plans' poll, so a saved plan's bars come with it.
  effect(() => {
    const json = plans.json.value;
    if (json) loadPeriods(json.plans.map((p) => p.id));
  });
  effect(() => poll(DELIVERIES_INTERVAL_MS, loadDeliveries));

  /** Sends `init` to `path`, then reloads the plans; the problem when the server refused. */
  const change = async (path: string, init: RequestInit): Promise<PlanProblem | null> => {
    try {
      // Read, not cancelled: the answer only repeats the plan, but a cancelled body aborts the request.
      await (await fetchApi(path, init)).text();
    } catch (e) {
      return planProblem(e);
    }
    await plans.reload();
    return null;
  };

  return {
    periods,
    periodsError,
    deliveries,
    deliveriesError,
    /** Adds a plan (`id` null) or replaces plan `id`. */
    save: (id: string | null, body: PlanBodyJson) =>
      change(id === null ? "/api/plans" : `/api/plans/${encodeURIComponent(id)}`, {
        method: id === null ? "POST" : "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    remove: (id: string) => change(`/api/plans/${encodeURIComponent(id)}`, { method: "DELETE" }),
  };
});
