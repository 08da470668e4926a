/**
 * v7, plans (issue 16): the plans made in the API (PLAN= plans live in the config and are never stored),
 * which alert thresholds already fired in which period, and the outbox of alert deliveries. The "fired" rows
 * and their outbox rows are written in the same transaction as the traffic that crossed the threshold
 * (store/plan_alerts.ts), so a crash neither loses an alert nor fires it twice.
 */
export const PLANS_SQL = `
CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  period TEXT NOT NULL,
  counts TEXT NOT NULL CHECK (counts IN ('total', 'upload', 'download')),
  quota_bytes INTEGER,
  device_id INTEGER,
  thresholds TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE plan_alerts_fired (
  plan_id TEXT NOT NULL,
  threshold TEXT NOT NULL,
  period_start TEXT NOT NULL,
  fired_at INTEGER NOT NULL,
  PRIMARY KEY (plan_id, threshold, period_start)
) STRICT, WITHOUT ROWID;

CREATE TABLE alert_deliveries (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  plan_name TEXT NOT NULL,
  threshold TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  is_test INTEGER NOT NULL,
  message TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
  attempts INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  last_attempt_at INTEGER,
  next_attempt_at INTEGER,
  sent_at INTEGER
) STRICT;

CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE state = 'queued';
`;
