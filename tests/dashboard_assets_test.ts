/**
 * The built dashboard (web/dist/assets.ts, `deno task bundle`) as a browser loads it from the real app over
 * HTTP: index.html names the entry, the entry and every chunk name the chunks they import, and each of those
 * is served immutable with its type, under the name the importing file wrote. The import specifiers are read
 * here from the served text, apart from the rewrite in web/build.ts, so a chunk left under deno bundle's own
 * name (or not embedded) fails.
 */
import assert from "node:assert/strict";
import { ASSETS } from "../web/dist/assets.ts";
import { serveApp } from "./helpers/served_app.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";
const JS_TYPE = "text/javascript; charset=utf-8";

/** `from"./x.js"`, `import"./x.js"` (static) and `import("./x.js")` (dynamic), as minified ESM writes them. */
const IMPORT_REGEXP = /\b(?:from|import)\s*(?<call>\(\s*)?["'](?<specifier>\.{1,2}\/[^"']+)["']/g;
/** A key of every dictionary (en.ts, ru.ts, zh_cn.ts), written once per dictionary in the bundle. */
const DICTIONARY_KEY_REGEXP = /\bnav_dashboard\s*:/g;

interface ServedScript {
  readonly url: URL;
  readonly text: string;
  readonly staticImports: readonly URL[];
  readonly dynamicImports: readonly URL[];
}

/** GETs `url`: 200, the right type, immutable; its text and the imports it names, resolved against it. */
async function fetchScript(url: URL): Promise<ServedScript> {
  const response = await fetch(url, { headers: { "accept-encoding": "gzip, br" } });
  assert.equal(response.status, 200, url.pathname);
  assert.equal(response.headers.get("content-type"), JS_TYPE, url.pathname);
  assert.equal(response.headers.get("cache-control"), IMMUTABLE, url.pathname);
  const text = await response.text();
  const staticImports: URL[] = [];
  const dynamicImports: URL[] = [];
  for (const match of text.matchAll(IMPORT_REGEXP)) {
    (match.groups!.call ? dynamicImports : staticImports).push(new URL(match.groups!.specifier, url));
  }
  return { url, text, staticImports, dynamicImports };
}

/** Every script reachable from `entry`, each fetched once, and the paths of a first load (static imports only). */
async function walkScripts(entry: URL): Promise<{ all: ServedScript[]; firstLoad: Set<string> }> {
  const byPath = new Map<string, ServedScript>();
  const queue = [entry];
  // Bounded: each path is fetched once, and there are only as many as ASSETS holds.
  while (queue.length > 0 && byPath.size <= ASSETS.length) {
    const url = queue.shift()!;
    if (byPath.has(url.pathname)) continue;
    const script = await fetchScript(url);
    byPath.set(url.pathname, script);
    queue.push(...script.staticImports, ...script.dynamicImports);
  }
  const firstLoad = new Set([entry.pathname]);
  for (const path of firstLoad) {
    for (const next of byPath.get(path)!.staticImports) firstLoad.add(next.pathname);
  }
  return { all: [...byPath.values()], firstLoad };
}

Deno.test("built dashboard: the app serves every chunk the entry imports, static or dynamic, immutable", async () => {
  await using served = await serveApp();
  const base = new URL(served.baseUrl);
  const index = await fetch(new URL("/", base));
  assert.equal(index.status, 200);
  const html = await index.text();
  const entryPath = html.match(/<script type="module" src="([^"]+)"><\/script>/)?.[1];
  assert.ok(entryPath, html);
  const { all, firstLoad } = await walkScripts(new URL(entryPath, base));

  // Every embedded script is reached from the entry: none is served under a name nothing imports.
  const reached = all.map((s) => s.url.pathname).sort();
  const embedded = ASSETS.filter((a) => a.path.endsWith(".js")).map((a) => a.path).sort();
  assert.deepEqual(reached, embedded);
  const entry = all.find((s) => s.url.pathname === entryPath)!;
  assert.ok(entry.staticImports.length > 0, "the entry imports its shared chunk");
  assert.ok(all.some((s) => s.dynamicImports.length > 0), "some chunk is fetched only when used");

  // The chunks a first load needs are preloaded with the entry.
  const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]).sort();
  assert.deepEqual(preloads, [...firstLoad].filter((path) => path !== entryPath).sort());

  // A first load carries English only; the Russian and Chinese messages are chunks of their own.
  const keysIn = (scripts: ServedScript[]) =>
    scripts.reduce((n, s) => n + [...s.text.matchAll(DICTIONARY_KEY_REGEXP)].length, 0);
  assert.equal(keysIn(all.filter((s) => firstLoad.has(s.url.pathname))), 1);
  assert.equal(keysIn(all.filter((s) => !firstLoad.has(s.url.pathname))), 2);
});

Deno.test("built dashboard: the CSS index.html links is served immutable as text/css", async () => {
  await using served = await serveApp();
  const html = await (await fetch(new URL("/", served.baseUrl))).text();
  const cssPath = html.match(/<link rel="stylesheet" href="([^"]+)">/)?.[1];
  assert.ok(cssPath, html);
  const css = await fetch(new URL(cssPath, served.baseUrl));
  assert.equal(css.status, 200);
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal(css.headers.get("cache-control"), IMMUTABLE);
  assert.match(await css.text(), /\.uplot\b/);
});
