/**
 * Adds or edits a plan (issue 16). The server checks every field (plans/ parses PLAN= and API bodies alike):
 * when it refuses, its 400 names the field, and the form marks that field, says why beside it and moves the
 * focus there. Period kinds are chosen from a list and written in PLAN= syntax (lib/plan_rule.ts). Escape
 * closes the form without saving.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getJson, queryString } from "../../api.ts";
import { useApp } from "../../app_context.ts";
import { usePlansT } from "./plans_messages.ts";
import {
  defaultPeriodFields,
  PERIOD_KINDS,
  periodFields,
  type PeriodKind,
  periodRule,
  quotaText,
  WEEKDAYS,
} from "../../lib/plan_rule.ts";
import { addDays } from "../../lib/zoned_time.ts";
import type { DeviceJson, DevicesJson, PlanBodyJson, PlanCountsJson, PlanJson } from "../../../api_types.ts";
import type { PlanField, PlanProblem } from "./plans_page_model.ts";

const COUNTS: readonly PlanCountsJson[] = ["total", "download", "upload"];
const DEFAULT_ALERTS = "80%, 100%, forecast";
/** Devices offered: those seen in the last 90 days. */
const DEVICE_DAYS = 90;
/** 2024-01-01 was a Monday: weekday names in the page's language from it. */
const A_MONDAY_MS = Date.UTC(2024, 0, 1);

/** A labelled control of the form, its hint and the server's complaint about it. */
function Field(
  props: { id: string; label: string; hint?: string; problem: string | null; children: ComponentChildren },
) {
  return (
    <div class="plan-field" data-invalid={props.problem !== null || undefined}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small id={`${props.id}-hint`} class="muted">{props.hint}</small>}
      {props.problem !== null && (
        <small id={`${props.id}-error`} class="error" data-testid={`${props.id}-error`}>
          {props.problem}
        </small>
      )}
    </div>
  );
}

/** The form for `plan`, or a new plan when null; `onSave` answers the server's problem, null once saved. */
export function PlanForm(
  props: {
    plan: PlanJson | null;
    today: string;
    onSave: (body: PlanBodyJson) => Promise<PlanProblem | null>;
    onClose: () => void;
  },
) {
  const t = usePlansT();
  const lang = useApp().prefs.lang.value;
  const { plan, today } = props;
  const [name, setName] = useState(plan?.name ?? "");
  const [counts, setCounts] = useState<PlanCountsJson>(plan?.counts ?? "total");
  const [quota, setQuota] = useState(quotaText(plan?.quota_bytes ?? null));
  const [period, setPeriod] = useState(
    periodFields(plan?.period_rule ?? "calendar", defaultPeriodFields(today)),
  );
  const [device, setDevice] = useState(plan?.device == null ? "" : String(plan.device));
  const [alerts, setAlerts] = useState(
    plan ? plan.alerts.map((a) => a.threshold).join(", ") : DEFAULT_ALERTS,
  );
  const [devices, setDevices] = useState<readonly DeviceJson[]>([]);
  const [problem, setProblem] = useState<PlanProblem | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const formId = plan ? `plan-form-${plan.id}` : "plan-form-new";
  const idOf = (field: PlanField) => `${formId}-${field}`;

  useEffect(() => {
    let isCurrent = true;
    // The list only offers names: without it the plan is still saved with its device.
    getJson<DevicesJson>(`/api/devices${queryString({ start: addDays(today, 1 - DEVICE_DAYS), end: today })}`)
      .then((json) => isCurrent && setDevices(json.devices.filter((d) => d.id !== null)), () => {});
    return () => {
      isCurrent = false;
    };
  }, [today]);
  useEffect(() => {
    if (problem?.field) document.getElementById(idOf(problem.field))?.focus();
  }, [problem]);

  const problemOf = (field: PlanField) => problem?.field === field ? problem.message : null;
  const described = (field: PlanField, hasHint = false) => ({
    id: idOf(field),
    "aria-invalid": problemOf(field) !== null || undefined,
    "aria-describedby":
      [hasHint && `${idOf(field)}-hint`, problemOf(field) !== null && `${idOf(field)}-error`]
        .filter(Boolean).join(" ") || undefined,
    "data-testid": `plan-f-${field}`,
  });
  const weekdayName = (i: number) =>
    new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" }).format(A_MONDAY_MS + i * 86_400_000);
  const submit = async () => {
    setIsSaving(true);
    const body: PlanBodyJson = {
      name: name.trim(),
      counts,
      period: periodRule(period),
      quota: quota.trim() === "" ? null : quota.trim(),
      device: device === "" ? null : Number(device),
      alerts: alerts.split(/[\s,]+/).filter((a) => a !== ""),
    };
    const refused = await props.onSave(body);
    setIsSaving(false);
    setProblem(refused);
    if (!refused) props.onClose();
  };
  const knownDevice = devices.some((d) => String(d.id) === device);
  return (
    <form
      class="plan-form"
      data-testid="plan-form"
      aria-labelledby={`${formId}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") props.onClose();
      }}
    >
      <h3 id={`${formId}-title`}>{plan ? t("plan_edit_title", { name: plan.name }) : t("plan_add")}</h3>
      <Field id={idOf("name")} label={t("plan_f_name")} problem={problemOf("name")}>
        <input
          {...described("name")}
          value={name}
          maxLength={64}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </Field>
      <Field id={idOf("counts")} label={t("plan_f_counts")} problem={problemOf("counts")}>
        <select
          {...described("counts")}
          value={counts}
          onChange={(e) => setCounts(e.currentTarget.value as PlanCountsJson)}
        >
          {COUNTS.map((c) => <option value={c} key={c}>{t(c)}</option>)}
        </select>
      </Field>
      <Field
        id={idOf("quota")}
        label={t("plan_f_quota")}
        hint={t("plan_quota_hint")}
        problem={problemOf("quota")}
      >
        <input
          {...described("quota", true)}
          value={quota}
          placeholder="1.2TB"
          onInput={(e) => setQuota(e.currentTarget.value)}
        />
      </Field>
      <Field id={idOf("period")} label={t("plan_f_period")} problem={problemOf("period")}>
        <div class="plan-period">
          <select
            {...described("period")}
            value={period.kind}
            onChange={(e) => setPeriod({ ...period, kind: e.currentTarget.value as PeriodKind })}
          >
            {PERIOD_KINDS.map((k) => <option value={k} key={k}>{t(`plan_period_${k}`)}</option>)}
          </select>
          {period.kind === "monthly" && (
            <input
              type="number"
              min={1}
              max={31}
              aria-label={t("plan_f_day")}
              title={t("plan_f_day")}
              data-testid="plan-day"
              value={period.day}
              onInput={(e) => setPeriod({ ...period, day: e.currentTarget.value })}
            />
          )}
          {period.kind === "every" && (
            <>
              <input
                type="number"
                min={1}
                aria-label={t("plan_f_days")}
                title={t("plan_f_days")}
                data-testid="plan-days"
                value={period.days}
                onInput={(e) => setPeriod({ ...period, days: e.currentTarget.value })}
              />
              <input
                type="date"
                aria-label={t("plan_f_start")}
                title={t("plan_f_start")}
                data-testid="plan-start"
                value={period.startDate}
                onInput={(e) => setPeriod({ ...period, startDate: e.currentTarget.value })}
              />
            </>
          )}
          {period.kind === "weekly" && (
            <select
              aria-label={t("plan_f_weekday")}
              data-testid="plan-weekday"
              value={period.weekday}
              onChange={(e) =>
                setPeriod({ ...period, weekday: e.currentTarget.value as typeof WEEKDAYS[number] })}
            >
              {WEEKDAYS.map((w, i) => <option value={w} key={w}>{weekdayName(i)}</option>)}
            </select>
          )}
        </div>
      </Field>
      <Field id={idOf("device")} label={t("plan_f_device")} problem={problemOf("device")}>
        <select {...described("device")} value={device} onChange={(e) => setDevice(e.currentTarget.value)}>
          <option value="">{t("plan_all_traffic")}</option>
          {devices.map((d) => <option value={String(d.id)} key={d.id}>{d.name ?? d.key}</option>)}
          {device !== "" && !knownDevice && <option value={device}>#{device}</option>}
        </select>
      </Field>
      <Field
        id={idOf("alerts")}
        label={t("plan_f_alerts")}
        hint={t("plan_alerts_hint")}
        problem={problemOf("alerts")}
      >
        <input
          {...described("alerts", true)}
          value={alerts}
          onInput={(e) => setAlerts(e.currentTarget.value)}
        />
      </Field>
      {problem && problem.field === null && (
        <p class="error" role="alert" data-testid="plan-form-error">
          {t("plan_save_failed")}: {problem.message}
        </p>
      )}
      {problem?.field && <p class="visually-hidden" role="alert">{problem.message}</p>}
      <div class="plan-actions">
        <button type="submit" class="primary" disabled={isSaving} data-testid="plan-save">
          {t("plan_save")}
        </button>
        <button type="button" onClick={props.onClose} data-testid="plan-cancel">{t("plan_cancel")}</button>
      </div>
    </form>
  );
}
