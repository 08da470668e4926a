/** App-wide models shared by the shell and every page, and the translation hook. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { type MessageKey, translate } from "./i18n/i18n.ts";
import type { Health } from "./models/health_model.ts";
import type { Prefs } from "./models/prefs_model.ts";
import type { Session } from "./models/session_model.ts";

/** Models that live as long as the page. */
export interface AppModels {
  readonly prefs: Prefs;
  readonly health: Health;
  readonly session: Session;
}

/** Provided once by App. */
export const AppContext = createContext<AppModels | null>(null);

/** The app models; only valid under App. */
export function useApp(): AppModels {
  const models = useContext(AppContext);
  if (!models) throw new Error("useApp() needs the AppContext provider of App");
  return models;
}

/** Translation function bound to the current language; components re-render when it changes. */
export function useT(): (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string {
  const lang = useApp().prefs.lang.value;
  return (key, values) => translate(lang, key, values);
}
