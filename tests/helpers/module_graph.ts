/**
 * The module graph of a source tree, as tests/boundaries_test.ts checks it. Every import between the tree's
 * own files comes from `deno info --json` (static, `import type`, dynamic `import()`); the Workers, which
 * deno info does not follow (`new Worker(new URL("./x.ts", import.meta.url))`), are added as edges from the
 * file that starts them. Every source file of the tree is a root, so test files, scripts and Worker entries
 * are read too. The names each edge imports are read from the source, since deno info does not give them.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { workerEntriesOf } from "../../packaging/mod.ts";

/** static: a value import; type: `import type` / `export type` only; dynamic: `import()`; worker: `new Worker`. */
export type EdgeKind = "static" | "type" | "dynamic" | "worker";

/** One import of one file by another, both in the tree. */
export interface ImportEdge {
  /** The importing file, relative to the tree's root ("/"-separated). */
  readonly from: string;
  /** 1-based line of the import in `from`. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** The imported file, relative to the tree's root. */
  readonly to: string;
  readonly kind: EdgeKind;
  /**
   * The exported names it imports (the name before any `as`; "default" for a default import), read from the
   * source; ["*"] when they cannot be known (`export *`, a namespace or `import()` whose use is not read);
   * [] for a side-effect import and for a Worker.
   */
  readonly names: readonly string[];
}

/** The tree's files and imports. */
export interface ModuleGraph {
  /** Every file of the tree in the graph, relative to the root, sorted. */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** Imports that cannot be followed (a computed `import()` or Worker URL, a file deno info cannot load). */
  readonly unreadable: readonly string[];
}

/** Folders that hold no source of the tree: dependencies, generated output, test artifacts. */
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist", "output"]);

const STATIC_IMPORT_REGEXP =
  /^[ \t]*(?:import|export)\s+(?:type\s+)?(?<clause>[\w$]+(?:\s*,\s*(?:\{[^}]*\}|\*\s*as\s+[\w$]+))?|\{[^}]*\}|\*(?:\s*as\s+[\w$]+)?)\s*from\s*["'](?<specifier>[^"']+)["']/gm;
const SIDE_EFFECT_IMPORT_REGEXP = /^[ \t]*import\s*["'](?<specifier>[^"']+)["']/gm;
const DYNAMIC_IMPORT_REGEXP =
  /(?:\{(?<destructured>[^{}]*)\}\s*=\s*await\s+)?\bimport\(\s*["'](?<specifier>[^"']+)["']\s*\)(?:\.(?<member>[\w$]+))?/g;
/** An `import(` whose argument is not a plain string literal (prose mentions `import()` with nothing in it). */
const COMPUTED_IMPORT_REGEXP = /\bimport\(\s*(?!["')])/g;
const WORKER_REGEXP = /\bnew\s+Worker\(/g;
/** A line that is only comment: its import-like text is prose. */
const COMMENT_LINE_REGEXP = /^\s*(\/\/|\/\*|\*)/;

/** Reads the module graph of the tree at `rootDir` (a deno.json there, if any, resolves bare specifiers). */
export async function readModuleGraph(rootDir: string): Promise<ModuleGraph> {
  const sources = new Map<string, string>();
  for await (const file of sourceFiles(rootDir)) {
    sources.set(file, await Deno.readTextFile(join(rootDir, file)));
  }
  const info = await denoInfo(rootDir, [...sources.keys()]);
  const unreadable: string[] = [];
  const edges: ImportEdge[] = [];
  const files = new Set<string>();
  const toRelative = (specifier: string): string | null => {
    if (!specifier.startsWith("file:")) return null;
    const path = relative(rootDir, fileURLToPath(specifier));
    return path.startsWith("..") ? null : path;
  };
  for (const module of info.modules) {
    const from = toRelative(module.specifier);
    if (from === null) continue;
    files.add(from);
    if (module.error !== undefined) unreadable.push(`${from}: ${module.error}`);
    const source = sources.get(from) ?? (module.error === undefined ? await readIfText(rootDir, from) : null);
    const namesBySpecifier = source === null ? new Map() : importedNames(source);
    for (const dependency of module.dependencies ?? []) {
      const resolved = dependency.code ?? dependency.type;
      const to = resolved?.specifier === undefined ? null : toRelative(resolved.specifier);
      if (resolved === undefined || to === null) continue;
      if (resolved.error !== undefined) unreadable.push(`${from}: ${resolved.error}`);
      edges.push({
        from,
        line: resolved.span.start.line + 1,
        specifier: dependency.specifier,
        to,
        kind: dependency.isDynamic ? "dynamic" : dependency.code === undefined ? "type" : "static",
        names: namesBySpecifier.get(dependency.specifier) ?? ["*"],
      });
    }
  }
  for (const [from, source] of sources) {
    const prose = withoutCommentLines(source);
    const workers = workerEntriesOf(join(rootDir, from), prose);
    for (const entry of workers) {
      const to = relative(rootDir, entry);
      if (!existsSync(entry)) unreadable.push(`${from}: starts a Worker from "${to}", which does not exist`);
      edges.push({
        from,
        line: lineOf(source, to.split("/").pop()!),
        specifier: to,
        to,
        kind: "worker",
        names: [],
      });
    }
    const workerCalls = [...prose.matchAll(WORKER_REGEXP)].length;
    if (workerCalls > workers.length) {
      unreadable.push(`${from}: a Worker whose URL is not new URL("./literal.ts", import.meta.url)`);
    }
    if (COMPUTED_IMPORT_REGEXP.test(prose)) {
      unreadable.push(`${from}: an import() whose specifier is not a string literal`);
    }
  }
  return { files: [...files].sort(), edges, unreadable };
}

/** The names each mod.ts-like file exports, by `deno doc --json` (it follows `export *`). */
export async function exportedNames(
  rootDir: string,
  files: readonly string[],
): Promise<Map<string, string[]>> {
  const names = new Map<string, string[]>();
  if (files.length === 0) return names;
  const output = await denoJson(rootDir, ["doc", "--json", ...files.map((f) => join(rootDir, f))]) as {
    nodes: Record<string, { symbols: { name: string }[] }>;
  };
  for (const [specifier, node] of Object.entries(output.nodes)) {
    names.set(
      relative(rootDir, fileURLToPath(specifier)),
      [...new Set(node.symbols.map((s) => s.name))].sort(),
    );
  }
  return names;
}

/** One cycle per group of files that import each other, as the files along it (the first repeated at the end). */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's strongly connected components; each component with a cycle is reported once, by one cycle in it.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
    } while (member !== node);
    const isSelfImport = (next.get(node) ?? []).includes(node);
    if (component.size > 1 || isSelfImport) cycles.push(shortestCycle(node, component, next));
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** The shortest path from `start` back to itself inside `component`, by breadth-first search. */
function shortestCycle(start: string, component: Set<string>, next: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const to of next.get(queue[i]) ?? []) {
      if (!component.has(to) || cameFrom.has(to)) continue;
      cameFrom.set(to, queue[i]);
      if (to === start) {
        const path = [start];
        for (let at = cameFrom.get(start)!; at !== start; at = cameFrom.get(at)!) path.unshift(at);
        return [start, ...path];
      }
      queue.push(to);
    }
  }
  throw new Error(`No cycle through "${start}" in its component`);
}

/** The names each specifier of `source` imports or re-exports (see ImportEdge.names). */
function importedNames(source: string): Map<string, string[]> {
  const bySpecifier = new Map<string, Set<string>>();
  const add = (specifier: string, names: readonly string[]) => {
    const set = bySpecifier.get(specifier) ?? new Set();
    for (const name of names) set.add(name);
    bySpecifier.set(specifier, set);
  };
  for (const match of source.matchAll(STATIC_IMPORT_REGEXP)) {
    add(match.groups!.specifier, clauseNames(match.groups!.clause, source));
  }
  for (const match of source.matchAll(SIDE_EFFECT_IMPORT_REGEXP)) add(match.groups!.specifier, []);
  for (const match of withoutCommentLines(source).matchAll(DYNAMIC_IMPORT_REGEXP)) {
    const { specifier, destructured, member } = match.groups!;
    add(
      specifier,
      destructured !== undefined ? bindingNames(destructured) : member !== undefined ? [member] : ["*"],
    );
  }
  return new Map([...bySpecifier].map(([specifier, names]) => [specifier, [...names].sort()]));
}

/** Names of an import or export clause: `a`, `{ a, type B, c as d }`, `* as ns`, `*`. */
function clauseNames(clause: string, source: string): string[] {
  const names: string[] = [];
  const braces = clause.match(/\{([^}]*)\}/);
  if (braces !== null) names.push(...bindingNames(braces[1]));
  const namespace = clause.match(/\*\s*as\s+([\w$]+)/);
  if (namespace !== null) {
    // `import * as libc`: the names it uses are the `libc.name` in the file.
    const used = [...source.matchAll(new RegExp(`\\b${namespace[1]}\\.([\\w$]+)`, "g"))].map((m) => m[1]);
    names.push(...(used.length > 0 ? used : ["*"]));
  } else if (clause.trim() === "*") {
    names.push("*");
  }
  if (/^[\w$]+/.test(clause.trim()) && !clause.trim().startsWith("*")) names.push("default");
  return names;
}

/** `a, type B, c as d` → ["a", "B", "c"]. */
function bindingNames(list: string): string[] {
  return list.split(",").map((part) => part.trim().replace(/^type\s+/, "").split(/\s+as\s+|\s*:\s*/)[0])
    .filter((name) => name !== "");
}

function withoutCommentLines(source: string): string {
  return source.split("\n").map((line) => COMMENT_LINE_REGEXP.test(line) ? "" : line).join("\n");
}

function lineOf(source: string, text: string): number {
  const at = source.indexOf(text);
  return at < 0 ? 1 : source.slice(0, at).split("\n").length;
}

async function readIfText(rootDir: string, path: string): Promise<string | null> {
  return /\.(tsx?|json)$/.test(path) ? await Deno.readTextFile(join(rootDir, path)) : null;
}

async function* sourceFiles(rootDir: string, dir = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(join(rootDir, dir))) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory && !SKIPPED_DIRS.has(entry.name)) yield* sourceFiles(rootDir, path);
    else if (entry.isFile && /\.tsx?$/.test(entry.name)) yield path;
  }
}

interface DenoInfo {
  modules: {
    specifier: string;
    error?: string;
    dependencies?: {
      specifier: string;
      isDynamic?: boolean;
      code?: { specifier?: string; error?: string; span: { start: { line: number } } };
      type?: { specifier?: string; error?: string; span: { start: { line: number } } };
    }[];
  }[];
}

/** `deno info --json` of one entry module that imports every root, so one run reads the whole tree. */
async function denoInfo(rootDir: string, roots: readonly string[]): Promise<DenoInfo> {
  const dir = await Deno.makeTempDir({ prefix: "netledger-graph-" });
  try {
    const entry = join(dir, "entry.ts");
    const lines = roots.map((root) => `import ${JSON.stringify(pathToFileURL(join(rootDir, root)).href)};`);
    await Deno.writeTextFile(entry, lines.join("\n") + "\n");
    return await denoJson(rootDir, ["info", "--json", entry]) as DenoInfo;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function denoJson(rootDir: string, args: readonly string[]): Promise<unknown> {
  const config = join(rootDir, "deno.json");
  const configArgs = existsSync(config) ? ["--config", config] : ["--no-config"];
  const [command, ...rest] = args;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [command, ...configArgs, ...rest],
    cwd: rootDir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno ${command} failed in "${rootDir}": ${new TextDecoder().decode(stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(stdout));
}
