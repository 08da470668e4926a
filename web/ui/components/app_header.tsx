/** Header: name, server time zone, live speed, navigation, language and theme controls, and "Log out". */
import { useApp, useT } from "../app_context.ts";
import { isLang, LANGUAGES, type MessageKey } from "../i18n/i18n.ts";
import { offsetLabel } from "../lib/zoned_time.ts";
import type { LiveModel } from "../models/live_model.ts";
import { ROUTES } from "../routes.ts";
import { useByteFormat } from "./use_byte_format.ts";

const THEME_LABELS: Record<string, MessageKey> = {
  system: "theme_system",
  light: "theme_light",
  dark: "theme_dark",
};
const THEME_ICONS: Record<string, string> = { system: "◐", light: "☀", dark: "☾" };

/** The page header; `path` is the current route for the navigation's aria-current. */
export function AppHeader(props: { live: InstanceType<typeof LiveModel>; path: string }) {
  const { prefs, health, session } = useApp();
  const t = useT();
  const fmt = useByteFormat();
  const zone = health.timeZone.value;
  const { upBps, downBps } = props.live;
  // Without a running capture (or an answering server) a rate of 0 would claim a silent line: show "—".
  const isCapturing = health.health.value?.capture?.state === "capturing" && !health.error.value &&
    !props.live.error.value;
  const choice = prefs.themeChoice.value;
  return (
    <header class="app-header">
      <div class="brand">
        <span class="brand-name">{t("app_title")}</span>
        <span class="brand-tagline">{t("app_tagline")}</span>
      </div>
      <div class="live" aria-label={t("live_speed")} title={t("live_speed")} data-testid="live-speed">
        <span class="up">▲ {upBps.value == null || !isCapturing ? "—" : fmt.rate(upBps.value)}</span>
        <span class="down">▼ {downBps.value == null || !isCapturing ? "—" : fmt.rate(downBps.value)}</span>
      </div>
      <nav class="nav">
        {ROUTES.map((route) => (
          <a
            href={`#${route.path}`}
            aria-current={route.path === props.path ? "page" : undefined}
            key={route.path}
          >
            {t(route.titleKey)}
          </a>
        ))}
      </nav>
      <div class="controls">
        <span class="zone" data-testid="time-zone" title={t("time_zone")}>
          {zone ? `${zone} (${offsetLabel(zone, Date.now() / 1000)})` : "…"}
        </span>
        <label class="visually-hidden" for="lang-select">{t("language")}</label>
        <select
          id="lang-select"
          data-testid="lang-select"
          value={prefs.lang.value}
          onChange={(e) => {
            const next = e.currentTarget.value;
            if (isLang(next)) prefs.setLang(next);
          }}
        >
          {LANGUAGES.map((l) => <option value={l.lang} key={l.lang}>{l.name}</option>)}
        </select>
        <label class="visually-hidden" for="units-select">{t("units_label")}</label>
        <select
          id="units-select"
          data-testid="units-select"
          title={t("units_label")}
          value={prefs.byteBase.value}
          onChange={(e) => prefs.setByteBase(e.currentTarget.value === "1024" ? 1024 : 1000)}
        >
          {/* "GB" or "GiB" in the page's language; the option's title says which system it is. */}
          <option value="1000" title={t("units_si")}>{t("unit_names_si").split(" ")[3]}</option>
          <option value="1024" title={t("units_iec")}>{t("unit_names_iec").split(" ")[3]}</option>
        </select>
        <button
          type="button"
          class="theme-toggle"
          data-testid="theme-toggle"
          onClick={prefs.cycleTheme}
          title={`${t("theme")}: ${t(THEME_LABELS[choice])}`}
          aria-label={`${t("theme")}: ${t(THEME_LABELS[choice])}`}
        >
          {THEME_ICONS[choice]}
        </button>
        {session.canLogOut.value && (
          <button type="button" class="logout" data-testid="logout" onClick={session.logOut}>
            {t("log_out")}
          </button>
        )}
      </div>
    </header>
  );
}
