/**
 * The shape of one schema step and what its code step may use, apart from the list of steps
 * (store/migrations.ts), so that a migration's own file can name them without importing that list.
 */
import type { DatabaseSync } from "node:sqlite";

/** What a migration's code step may use besides the connection. */
export interface MigrationContext {
  /** The local zone of day and month spans (openStore's `timeZone`). */
  readonly timeZone: string;
  /** One line per event worth a log entry: a long data rewrite reports its progress here. */
  readonly log: (line: string) => void;
}

/**
 * One schema step: `sql` may hold several statements; it must not BEGIN or COMMIT itself. `rewrite`, when
 * present, runs after `sql` in the same transaction, for data SQL alone cannot move (spans of a local zone);
 * it must do bounded work per row and log its progress on a large file.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly rewrite?: (db: DatabaseSync, context: MigrationContext) => void;
}
