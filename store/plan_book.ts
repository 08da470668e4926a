/**
 * The plans netledger knows: those of PLAN= (read-only, from the config) and those made in the API (the
 * `plans` table). A stored plan whose id a PLAN= plan has is hidden: the environment wins, so a headless
 * install's file always says what is billed (docs/plans.md "PLAN= and the API").
 */
import type { DatabaseSync } from "node:sqlite";
import {
  type AlertThreshold,
  formatPeriodRule,
  formatThreshold,
  parseCounts,
  parsePeriodRule,
  parseThreshold,
  type PlanSpec,
} from "../plans/mod.ts";
import type { Store } from "./db.ts";
import { inTransaction } from "./db.ts";

/** A plan and where it comes from. */
export interface PlanEntry {
  readonly plan: PlanSpec;
  readonly source: "env" | "api";
}

interface PlanRow {
  id: string;
  name: string;
  period: string;
  counts: string;
  quota_bytes: number | null;
  device_id: number | null;
  thresholds: string;
}

/** A stored period rule is not checked against today again: its start date was valid when it was saved. */
const NO_FUTURE_CHECK = "9999-12-31";

/** PLAN= plans first, then the stored ones by name. */
export class PlanBook {
  readonly #store: Store;
  readonly #envPlans: readonly PlanSpec[];

  constructor(store: Store, envPlans: readonly PlanSpec[]) {
    this.#store = store;
    this.#envPlans = envPlans;
  }

  /** Every plan, PLAN= ones first. */
  list(): PlanEntry[] {
    return this.#store.read("the plans", (db) => listPlans(db, this.#envPlans));
  }

  /** The plan `id`, or null. */
  get(id: string): PlanEntry | null {
    return this.list().find((e) => e.plan.id === id) ?? null;
  }

  /** Whether `id` is a PLAN= plan (which the API may not change). */
  isFromEnv(id: string): boolean {
    return this.#envPlans.some((p) => p.id === id);
  }

  /** Stores a new plan, or replaces stored plan `plan.id`; `nowSec` stamps it. */
  save(plan: PlanSpec, nowSec: number, options: { replaceId?: string } = {}): void {
    inTransaction(this.#store.db, () => {
      const created = options.replaceId === undefined ? nowSec : (this.#store.db.prepare(
        "SELECT created_at FROM plans WHERE id = ?",
      ).get(options.replaceId) as { created_at: number } | undefined)?.created_at ?? nowSec;
      if (options.replaceId !== undefined) {
        this.#store.db.prepare("DELETE FROM plans WHERE id = ?").run(options.replaceId);
      }
      this.#store.db.prepare(
        `INSERT INTO plans (id, name, period, counts, quota_bytes, device_id, thresholds, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        plan.id,
        plan.name,
        formatPeriodRule(plan.period),
        plan.counts,
        plan.quotaBytes,
        plan.deviceId,
        plan.thresholds.map(formatThreshold).join(","),
        created,
        nowSec,
      );
    });
  }

  /** Deletes stored plan `id`; false when there is none. Its alert history stays in the delivery log. */
  remove(id: string): boolean {
    return inTransaction(this.#store.db, () => {
      this.#store.db.prepare("DELETE FROM plan_alerts_fired WHERE plan_id = ?").run(id);
      return Number(this.#store.db.prepare("DELETE FROM plans WHERE id = ?").run(id).changes) > 0;
    });
  }
}

/** Every plan as read through `db` (also inside a write transaction). */
export function listPlans(db: DatabaseSync, envPlans: readonly PlanSpec[]): PlanEntry[] {
  const rows = db.prepare("SELECT * FROM plans ORDER BY name, id").all() as unknown as PlanRow[];
  const stored = rows.filter((r) => !envPlans.some((p) => p.id === r.id)).map((r): PlanEntry => ({
    plan: {
      id: r.id,
      name: r.name,
      period: parsePeriodRule(r.period, NO_FUTURE_CHECK),
      counts: parseCounts(r.counts),
      quotaBytes: r.quota_bytes,
      deviceId: r.device_id,
      thresholds: r.thresholds === ""
        ? []
        : r.thresholds.split(",").map((t): AlertThreshold => parseThreshold(t)),
    },
    source: "api",
  }));
  return [...envPlans.map((plan): PlanEntry => ({ plan, source: "env" })), ...stored];
}
