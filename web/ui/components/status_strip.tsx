/**
 * Under the header on every page: one status line that is always there ("Capturing on eth0 · last packet
 * 2 seconds ago · saved 22:40"), and a strip that names each problem /api/health reports in the page's
 * language, with the server's own words as a detail (issue 13 "honest states").
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { useApp, useT } from "../app_context.ts";
import type { HealthJson } from "../api.ts";
import type { Lang } from "../i18n/i18n.ts";
import { healthProblems, type StatusProblem } from "../lib/health_problems.ts";

const MINUTE_SEC = 60;
const HOUR_SEC = 3600;
const DAY_SEC = 86_400;

/** Whole seconds of the browser clock, ticking each second while the tab is shown. */
function useNowSec(): number {
  const [nowSec, setNowSec] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) setNowSec(Math.floor(Date.now() / 1000));
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  return nowSec;
}

/** "2 seconds ago", "5 minutes ago" in `lang`. */
function formatAgo(seconds: number, lang: Lang): string {
  const format = new Intl.RelativeTimeFormat(lang, { numeric: "always" });
  const s = Math.max(0, Math.round(seconds));
  if (s < MINUTE_SEC) return format.format(-s, "second");
  if (s < HOUR_SEC) return format.format(-Math.floor(s / MINUTE_SEC), "minute");
  if (s < DAY_SEC) return format.format(-Math.floor(s / HOUR_SEC), "hour");
  return format.format(-Math.floor(s / DAY_SEC), "day");
}

/** "22:40" in the server zone, with the date when it is not from the last day. */
function formatClock(sec: number, nowSec: number, zone: string, lang: Lang): string {
  const withDate = nowSec - sec > DAY_SEC;
  return new Intl.DateTimeFormat(lang, {
    timeZone: zone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    ...(withDate ? { month: "short", day: "numeric" } : {}),
  }).format(new Date(sec * 1000));
}

/** The parts of the status line for a health answer, joined with " · ". */
function lineParts(
  current: HealthJson,
  options: { nowSec: number; lang: Lang; t: ReturnType<typeof useT> },
): string[] {
  const { nowSec, lang, t } = options;
  const { capture, store } = current;
  const parts: string[] = [];
  if (capture === null) {
    parts.push(t("status_history_only"));
  } else {
    const stateKey = capture.state === "capturing"
      ? "status_capturing"
      : capture.state === "starting"
      ? "status_starting"
      : "status_not_capturing";
    parts.push(t(stateKey, { iface: capture.iface }));
    parts.push(
      capture.last_batch === null
        ? t("status_no_packet")
        : t("status_last_packet", { ago: formatAgo(nowSec - capture.last_batch, lang) }),
    );
  }
  if (store) {
    parts.push(
      store.last_saved === null
        ? t("status_not_saved")
        : t("status_saved", { time: formatClock(store.last_saved, nowSec, current.time_zone, lang) }),
    );
  }
  return parts;
}

function ProblemLine(props: { problem: StatusProblem }) {
  const t = useT();
  const { problem } = props;
  return (
    <li data-problem={problem.code}>
      <span>{t(problem.key, problem.values)}</span>
      {problem.detail && (
        <details>
          <summary>{t("status_details")}</summary>
          <code>{problem.detail}</code>
        </details>
      )}
    </li>
  );
}

/** The status line, and the problem strip when something is wrong. */
export function StatusStrip() {
  const { health, prefs } = useApp();
  const t = useT();
  const lang = prefs.lang.value;
  const browserNowSec = useNowSec();
  const current = health.health.value;
  const error = health.error.value;
  // The server's clock, as "last packet … ago" compares with its timestamps; taken when an answer arrives.
  const skewSec = useMemo(() => (current ? Date.parse(current.ts) / 1000 - Date.now() / 1000 : 0), [current]);
  const nowSec = browserNowSec + skewSec;
  const problems: StatusProblem[] = [];
  if (error) {
    problems.push({ code: "server:unreachable", key: "status_unreachable", values: {}, detail: error });
  }
  if (current && !error) problems.push(...healthProblems(current));
  const drops = health.dropsThisHour.value;
  if (drops > 0) {
    problems.push({
      code: "capture:drops",
      key: "status_drops",
      values: { count: String(drops) },
      detail: null,
    });
  }
  const isCapturing = current?.capture?.state === "capturing";
  const tone = error || (current && current.status !== "ok") ? "bad" : isCapturing ? "ok" : "warn";
  let line: string[];
  if (error) {
    line = [
      t("status_offline", {
        time: current ? formatClock(Date.parse(current.ts) / 1000, nowSec, current.time_zone, lang) : "—",
      }),
    ];
  } else {
    line = current ? lineParts(current, { nowSec, lang, t }) : [t("loading")];
  }
  return (
    <>
      <div class={`status-line ${tone}`} data-testid="status-line" data-tone={tone}>
        <span class="status-dot" aria-hidden="true" />
        <span>{line.join(" · ")}</span>
      </div>
      {problems.length > 0 && (
        <ul class="status-strip" role="alert" data-testid="status-strip">
          {problems.map((p) => <ProblemLine key={p.code} problem={p} />)}
        </ul>
      )}
    </>
  );
}
