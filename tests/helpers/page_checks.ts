/**
 * Page checks and fixtures shared by the dashboard's browser tests: recent traffic imported through main.ts
 * --pcap, the language switch, sideways scrolling, screenshots of a state in every width, theme and language,
 * focus rings reached by Tab, the contrast of text computed from computed colours, the JSON a served
 * netledger answers and the text a page shows.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { importTraffic, trafficRecords } from "./dashboard_rig.ts";

/** Where the browser tests save their screenshots. */
export const SCREENSHOT_DIR = new URL("../output/screenshots/", import.meta.url).pathname;

/** Fills `{name}` placeholders as the dashboard's translate() does. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => name in values ? String(values[name]) : whole);
}

/** Local date in `timeZone`, `days` from today. */
export function localDate(timeZone: string, days: number): string {
  return Temporal.Now.plainDateISO(timeZone).add({ days }).toString();
}

/** Imports traffic every 90 minutes over the last `days` days from twelve remotes (dashboard_rig.ts). */
export async function importRecentTraffic(
  options: { dir: string; dbPath: string; timeZone: string; days: number },
): Promise<void> {
  const nowSec = Math.floor(Date.now() / 1000);
  const times: number[] = [];
  for (let t = nowSec - 30; t > nowSec - options.days * 86400; t -= 5400) times.push(t);
  await importTraffic({ ...options, records: trafficRecords(times.reverse()) });
}

/** Switches the dashboard's language with its own control and waits for <html lang>. */
export async function setLang(page: Page, lang: "en" | "zh-CN"): Promise<void> {
  await page.selectOption('[data-testid="lang-select"]', lang);
  await page.waitForFunction((want) => document.documentElement.lang === want, lang);
}

/** Asserts the page is no wider than the window (no sideways scrolling). */
export async function assertNoSideScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: globalThis.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${what}: the page is ${scrollWidth} px wide in ${innerWidth}`);
}

/**
 * Screenshots of the current state at 1280 and 360 px, light and dark, English and Chinese, as
 * `<name>-<lang>-<width>-<scheme>.png`; at 360 px the page must not scroll sideways. `ready` waits for the
 * state after each change. Ends in English, light, 1280 px.
 */
export async function screenshots(page: Page, name: string, ready: () => Promise<void>): Promise<void> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const lang of ["en", "zh-CN"] as const) {
    await setLang(page, lang);
    for (const [width, height] of [[1280, 900], [360, 740]] as const) {
      await page.setViewportSize({ width, height });
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
        await ready();
        if (width === 360) await assertNoSideScroll(page, `${name} ${lang} ${scheme}`);
        await page.screenshot({
          path: `${SCREENSHOT_DIR}${name}-${lang}-${width}-${scheme}.png`,
          fullPage: true,
        });
      }
    }
  }
  await setLang(page, "en");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * In the page: each visible element under `selectors` with text of its own, whose text contrast against
 * the first opaque background behind it (WCAG 2 relative luminance) is below `min`, as "selector text: ratio".
 */
export function lowContrastTexts(args: { selectors: string[]; min: number }): string[] {
  const parse = (css: string): number[] | null => {
    const rgb = /^rgba?\(([^)]+)\)$/.exec(css);
    if (rgb) {
      const [r, g, b, a = 1] = rgb[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [r, g, b, a];
    }
    const srgb = /^color\(srgb ([^)]+)\)$/.exec(css);
    if (srgb) {
      const [r, g, b, a = 1] = srgb[1].split(/[\s/]+/).filter(Boolean).map(Number);
      return [r * 255, g * 255, b * 255, a];
    }
    return null;
  };
  const luminance = ([r, g, b]: number[]) => {
    const f = (v: number) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const backgroundOf = (el: Element | null): number[] => {
    for (let e = el; e; e = e.parentElement) {
      const color = parse(getComputedStyle(e).backgroundColor);
      if (color && color[3] > 0) return color;
    }
    return [255, 255, 255, 1];
  };
  const failures: string[] = [];
  for (const selector of args.selectors) {
    for (const root of document.querySelectorAll(selector)) {
      for (const el of [root, ...root.querySelectorAll("*")]) {
        const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent)
          .join("").trim();
        const box = el.getBoundingClientRect();
        if (!own || box.width <= 1 || box.height <= 1) continue;
        const fg = parse(getComputedStyle(el).color);
        if (!fg) {
          failures.push(`${selector} "${own}": colour ${getComputedStyle(el).color} not understood`);
          continue;
        }
        const [a, b] = [luminance(fg), luminance(backgroundOf(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < args.min) failures.push(`${selector} "${own}": ${ratio.toFixed(2)}`);
      }
    }
  }
  return failures;
}

/**
 * Presses Tab up to `presses` times from the top of the page and returns, for each element reached, its
 * name and whether a focus ring shows: an outline at least 2 px wide, or a box shadow.
 */
export async function tabThrough(page: Page, presses: number): Promise<{ name: string; hasRing: boolean }[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached: { name: string; hasRing: boolean }[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const hasOutline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
      return {
        name: el.dataset.testid ?? el.dataset.quick ??
          `${el.tagName.toLowerCase()} "${el.textContent?.trim()}"`,
        hasRing: hasOutline || style.boxShadow !== "none",
      };
    });
    if (focus) reached.push(focus);
  }
  return reached;
}

/** The JSON answer of GET `path` from the netledger at `baseUrl`, which must answer 200. */
export async function getJson<T>(baseUrl: string, path: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`);
  assert.equal(response.status, 200, path);
  return await response.json() as T;
}

/** The trimmed text of the first element of `page` that `selector` matches ("" when it has none). */
export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent() ?? "").trim();
}
