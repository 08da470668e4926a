/**
 * Browser entry of the dashboard (bundled by web/build.ts). Import rule for web/ui/: only web/ui/ modules,
 * npm preact/@preact/signals/uplot, and `import type` from web/api_types.ts; the server only via /api/*.
 */
import { render } from "preact";
import { App } from "./app.tsx";
import { HealthModel } from "./models/health_model.ts";
import { PrefsModel } from "./models/prefs_model.ts";
import { SessionModel } from "./models/session_model.ts";

const models = { prefs: new PrefsModel(), health: new HealthModel(), session: new SessionModel() };
render(<App models={models} />, document.getElementById("app")!);
