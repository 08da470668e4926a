/**
 * `deno task bundle`: builds the dashboard into a GENERATED module, web/dist/assets.ts, that the server
 * imports, so the assets reach it through the module graph (and a `deno compile`d binary) and nothing is
 * read from disk at run time. Steps: `deno bundle --minify --code-splitting` of web/ui/main.tsx and
 * web/ui/styles.css (which imports uPlot's CSS); every output file renamed by content hash, the chunks'
 * imports of each other rewritten to the new names; index.html pointing at the entry and the CSS and
 * preloading the chunks the entry imports statically; gzip and brotli at maximum levels.
 *
 * The budget (issue 4, issue 13): the JS and CSS a first load of the dashboard needs (the entry, the chunks
 * it imports statically, directly or not, and the CSS) ≤ 60 KB gzipped. Chunks reached only through
 * `import()` (a language's messages, a page other than the dashboard) are fetched when used and are printed
 * apart, with the total of all files. The build fails when the first load is over the budget.
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { EmbeddedAsset } from "./embedded_asset.ts";

/** Issues 4 and 13: the JS + CSS of a first load ≤ 60 KB gzipped (see the module comment). */
const BUDGET_GZIP_BYTES = 60 * 1024;

const WEB_DIR = new URL("./", import.meta.url);
const UI_DIR = new URL("ui/", WEB_DIR);
const DIST_DIR = new URL("dist/", WEB_DIR);

/** A build step that failed: the step and what it printed. */
export class BuildError extends Error {
  constructor(readonly step: string, detail: string) {
    super(`Cannot build the dashboard (${step}): ${detail}`);
    this.name = "BuildError";
  }
}

/** deno bundle's names for the entry and the CSS; its chunks are "<name>-<8 characters>.js". */
const ENTRY_OUTPUT = "main.js";
const CSS_OUTPUT = "styles.css";
const ESBUILD_HASH_REGEXP = /-[A-Z0-9]{8}$/;

const JS_TYPE = "text/javascript; charset=utf-8";
const CSS_TYPE = "text/css; charset=utf-8";

/** What deno bundle wrote: each JS file's text by its output name, and the CSS. */
interface BundleOutput {
  readonly scripts: ReadonlyMap<string, string>;
  readonly css: Uint8Array;
}

/** One import of an output file by another: static (`from"./x.js"`) or dynamic (`import("./x.js")`). */
interface ChunkImport {
  readonly name: string;
  readonly isDynamic: boolean;
}

/** One embedded file and its gzipped size. */
export interface AssetSize {
  readonly path: string;
  readonly gzipBytes: number;
}

/** What a build produced: the files of a first load (entry, its static chunks, CSS) and the lazy chunks. */
export interface BuildSizes {
  readonly firstLoad: readonly AssetSize[];
  readonly lazy: readonly AssetSize[];
}

async function bundle(outDir: string): Promise<BundleOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--minify",
      "--code-splitting",
      "--platform=browser",
      "--format=esm",
      `--outdir=${outDir}`,
      new URL("main.tsx", UI_DIR).pathname,
      new URL("styles.css", UI_DIR).pathname,
    ],
    cwd: new URL("../", WEB_DIR).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new BuildError("deno bundle", new TextDecoder().decode(output.stderr).trim());
  }
  const scripts = new Map<string, string>();
  let css: Uint8Array | null = null;
  for await (const entry of Deno.readDir(outDir)) {
    if (entry.isFile && entry.name === CSS_OUTPUT) css = await Deno.readFile(`${outDir}/${entry.name}`);
    else if (entry.isFile && entry.name.endsWith(".js")) {
      scripts.set(entry.name, await Deno.readTextFile(`${outDir}/${entry.name}`));
    } else throw new BuildError("deno bundle", `an output this build does not serve: "${entry.name}"`);
  }
  if (!scripts.has(ENTRY_OUTPUT) || css === null) {
    throw new BuildError("deno bundle", `no "${ENTRY_OUTPUT}" or no "${CSS_OUTPUT}" among its outputs`);
  }
  return { scripts, css };
}

function quotedReference(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(import\\(\\s*)?(["'])\\./${escaped}\\2`, "g");
}

/** The output files `text` imports: deno bundle writes every one as a quoted "./name" of its output folder. */
function importsOf(text: string, names: Iterable<string>): ChunkImport[] {
  const found = new Map<string, ChunkImport>();
  for (const name of names) {
    for (const match of text.matchAll(quotedReference(name))) {
      const isDynamic = match[1] !== undefined;
      // A file imported both ways is needed statically.
      if (!found.get(name) || !isDynamic) found.set(name, { name, isDynamic });
    }
  }
  return [...found.values()];
}

/** `start` (first) and every file it reaches through `imports`; through `import()` too if `isDynamicFollowed`. */
function reachable(
  start: string,
  imports: ReadonlyMap<string, readonly ChunkImport[]>,
  options: { readonly isDynamicFollowed: boolean },
): Set<string> {
  const seen = new Set([start]);
  for (const name of seen) {
    for (const next of imports.get(name) ?? []) {
      if (options.isDynamicFollowed || !next.isDynamic) seen.add(next.name);
    }
  }
  return seen;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Served paths of the scripts, by output name: "/assets/<name>.<hash>.js", the entry named "app". The hash
 * covers the file and every file it reaches, so a changed chunk renames each file whose text names it, even
 * where chunks import each other in a cycle (a lazy page importing the chunk that imports it).
 */
async function scriptPaths(
  scripts: ReadonlyMap<string, string>,
  imports: ReadonlyMap<string, readonly ChunkImport[]>,
): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  for (const name of scripts.keys()) {
    const closure = [...reachable(name, imports, { isDynamicFollowed: true })].sort();
    const text = [name, ...closure].map((n) => `${n}\n${scripts.get(n)}`).join("\n");
    const hash = await sha256Hex(new TextEncoder().encode(text));
    const stem = name === ENTRY_OUTPUT ? "app" : name.replace(/\.js$/, "").replace(ESBUILD_HASH_REGEXP, "");
    paths.set(name, `/assets/${stem}.${hash.slice(0, 12)}.js`);
  }
  return paths;
}

/** `text` with each import of an output file pointing at that file's served name (same folder, /assets/). */
function rewriteImports(
  text: string,
  imports: readonly ChunkImport[],
  paths: ReadonlyMap<string, string>,
): string {
  let rewritten = text;
  for (const { name } of imports) {
    const served = paths.get(name)!.split("/").pop()!;
    rewritten = rewritten.replace(quotedReference(name), (_, dynamic = "", quote) => {
      return `${dynamic}${quote}./${served}${quote}`;
    });
  }
  return rewritten;
}

async function embed(
  file: { readonly path: string; readonly contentType: string; readonly isImmutable: boolean },
  body: Uint8Array,
): Promise<EmbeddedAsset> {
  return {
    ...file,
    hash: await sha256Hex(body),
    identityBase64: body.toBase64(),
    gzipBase64: new Uint8Array(gzipSync(body, { level: 9 })).toBase64(),
    brotliBase64: new Uint8Array(
      brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
    ).toBase64(),
  };
}

function moduleText(assets: readonly EmbeddedAsset[]): string {
  return [
    "// GENERATED by web/build.ts (`deno task bundle`): do not edit; web/dist/ is not committed.",
    'import type { EmbeddedAsset } from "../embedded_asset.ts";',
    "",
    "/**",
    ' * The dashboard\'s files: index.html at "/", then under /assets/ the content-hashed entry script, the CSS,',
    " * the chunks the entry imports statically and the chunks it fetches when used.",
    " */",
    `export const ASSETS: readonly EmbeddedAsset[] = ${JSON.stringify(assets, null, 1)};`,
    "",
  ].join("\n");
}

function sizeOf(asset: EmbeddedAsset): AssetSize {
  return { path: asset.path, gzipBytes: Uint8Array.fromBase64(asset.gzipBase64).length };
}

function totalGzipBytes(sizes: readonly AssetSize[]): number {
  return sizes.reduce((sum, size) => sum + size.gzipBytes, 0);
}

/** The embedded files: index.html, the first load's (entry, CSS, the entry's static chunks), the lazy chunks. */
async function embedAll(output: BundleOutput): Promise<{
  html: EmbeddedAsset;
  firstLoad: EmbeddedAsset[];
  lazy: EmbeddedAsset[];
}> {
  const { scripts, css } = output;
  const imports = new Map([...scripts].map(([name, text]) => [name, importsOf(text, scripts.keys())]));
  const paths = await scriptPaths(scripts, imports);
  const firstLoadNames = [...reachable(ENTRY_OUTPUT, imports, { isDynamicFollowed: false })];
  const lazyNames = [...scripts.keys()].filter((name) => !firstLoadNames.includes(name)).sort();
  const embedScript = (name: string) =>
    embed(
      { path: paths.get(name)!, contentType: JS_TYPE, isImmutable: true },
      new TextEncoder().encode(rewriteImports(scripts.get(name)!, imports.get(name)!, paths)),
    );
  const cssPath = `/assets/app.${(await sha256Hex(css)).slice(0, 12)}.css`;
  const cssAsset = await embed({ path: cssPath, contentType: CSS_TYPE, isImmutable: true }, css);
  // reachable() lists its start first: the entry.
  const [entry, ...staticChunks] = await Promise.all(firstLoadNames.map(embedScript));
  const lazy = await Promise.all(lazyNames.map(embedScript));
  const template = await Deno.readTextFile(new URL("index.html", UI_DIR));
  // Preloaded, the static chunks are fetched with the entry rather than once it has been parsed.
  const preloads = staticChunks.map((chunk) => `<link rel="modulepreload" href="${chunk.path}">`);
  const placeholders = {
    "{{CSS}}": cssAsset.path,
    "<!--MODULEPRELOAD-->": preloads.join("\n    "),
    "{{JS}}": entry.path,
  };
  let html = template;
  for (const [placeholder, value] of Object.entries(placeholders)) {
    if (!html.includes(placeholder)) {
      throw new BuildError("index.html", `no ${placeholder} in web/ui/index.html`);
    }
    html = html.replace(placeholder, value);
  }
  return {
    html: await embed(
      { path: "/", contentType: "text/html; charset=utf-8", isImmutable: false },
      new TextEncoder().encode(html),
    ),
    firstLoad: [entry, cssAsset, ...staticChunks],
    lazy,
  };
}

/** Builds web/dist/assets.ts and returns the gzipped sizes; throws BuildError when the first load is over budget. */
export async function buildDashboard(): Promise<BuildSizes> {
  const tempDir = await Deno.makeTempDir({ prefix: "netledger-build-" });
  try {
    const { html, firstLoad, lazy } = await embedAll(await bundle(tempDir));
    const sizes = { firstLoad: firstLoad.map(sizeOf), lazy: lazy.map(sizeOf) };
    const firstLoadBytes = totalGzipBytes(sizes.firstLoad);
    if (firstLoadBytes > BUDGET_GZIP_BYTES) {
      throw new BuildError(
        "budget",
        `the JS + CSS of a first load are ${firstLoadBytes} bytes gzipped, over the budget of ${BUDGET_GZIP_BYTES}`,
      );
    }
    await Deno.mkdir(DIST_DIR, { recursive: true });
    const target = new URL("assets.ts", DIST_DIR);
    const temp = new URL(`assets.ts.${Deno.pid}.tmp`, DIST_DIR);
    // Write then rename, so a test importing the module never sees half a file.
    await Deno.writeTextFile(temp, moduleText([html, ...firstLoad, ...lazy]));
    await Deno.rename(temp, target);
    return sizes;
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
}

if (import.meta.main) {
  const { firstLoad, lazy } = await buildDashboard();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const lines = (sizes: readonly AssetSize[]) =>
    sizes.map((size) => `  ${size.path.replace("/assets/", "")}: ${kb(size.gzipBytes)}`);
  const firstLoadBytes = totalGzipBytes(firstLoad);
  console.log([
    "web/dist/assets.ts, gzipped:",
    `first load (entry, its static chunks, CSS): ${kb(firstLoadBytes)} (budget ${kb(BUDGET_GZIP_BYTES)})`,
    ...lines(firstLoad),
    `lazy chunks, fetched when used: ${kb(totalGzipBytes(lazy))}`,
    ...lines(lazy),
    `all files: ${kb(firstLoadBytes + totalGzipBytes(lazy))}`,
  ].join("\n"));
}
