/** The app shell: header, status strip and the page of the current route. */
import { useModel } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { AppContext, type AppModels } from "./app_context.ts";
import { AppHeader } from "./components/app_header.tsx";
import { StatusStrip } from "./components/status_strip.tsx";
import { translate } from "./i18n/i18n.ts";
import { LiveModel } from "./models/live_model.ts";
import { RouteModel } from "./models/route_model.ts";
import { routeFor } from "./routes.ts";

/** Root component; `models` outlive it (created in main.tsx). */
export function App(props: { models: AppModels }) {
  const route = useModel(RouteModel);
  const live = useModel(LiveModel);
  const current = routeFor(route.path.value);
  const lang = props.models.prefs.lang.value;
  useEffect(() => {
    document.title = `${translate(lang, current.titleKey)} · ${translate(lang, "app_title")}`;
  }, [lang, current]);
  // A stored language other than English: the page appears once its messages arrived, in that language.
  if (!props.models.prefs.isLangSettled.value) return null;
  const Page = current.page;
  return (
    <AppContext.Provider value={props.models}>
      <AppHeader live={live} path={current.path} />
      <StatusStrip />
      <main class="page" key={current.path}>
        <Page />
      </main>
    </AppContext.Provider>
  );
}
