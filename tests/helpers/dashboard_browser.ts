/**
 * Headless Chromium for dashboard tests and benchmarks: Debian's /usr/bin/chromium driven by
 * playwright-core, with a fresh user-data-dir, and a recorder of everything a page did wrong.
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Flags of issue 4: no sandbox (CI containers), no GPU, no background traffic to Google. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];

/** A browser with its own fresh profile; dispose to close it and delete the profile. */
export interface DashboardBrowser extends AsyncDisposable {
  readonly context: BrowserContext;
  /** The context's first tab. */
  readonly page: Page;
}

/** Launches Chromium with a new temporary user-data-dir and `options` (viewport, timezoneId, locale…). */
export async function launchDashboardBrowser(
  options: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<DashboardBrowser> {
  const userDataDir = await Deno.makeTempDir({ prefix: "netledger-chromium-" });
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      ...options,
    });
    const page = context.pages()[0] ?? await context.newPage();
    return {
      context,
      page,
      async [Symbol.asyncDispose]() {
        try {
          await context.close();
        } finally {
          await Deno.remove(userDataDir, { recursive: true });
        }
      },
    };
  } catch (e) {
    await Deno.remove(userDataDir, { recursive: true });
    throw e;
  }
}

/**
 * Records console errors, page errors, failed requests and HTTP errors of `page` into `problems`.
 * While `isNavigating()` is true, requests cancelled by the navigation (net::ERR_ABORTED) are not failures.
 */
export function watchProblems(
  page: Page,
  problems: string[],
  isNavigating: () => boolean = () => false,
): void {
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    if (isNavigating() && r.failure()?.errorText === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
}

/** The dashboard's charts, by their `data-chart` name. */
export const DASHBOARD_CHARTS = ["range", "today", "days", "months"] as const;

/** Resolves once the cards have values and each dashboard chart exists. */
export async function waitForDashboard(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="card-today"]:not([data-bytes=""])');
  await page.waitForFunction(
    (names) => names.every((name) => document.querySelector(`[data-chart="${name}"] .uplot`)),
    DASHBOARD_CHARTS,
  );
}
