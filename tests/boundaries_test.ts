/**
 * The module boundaries of ../shared/STYLE.md, enforced: each folder may import only what its rule allows,
 * and `import type` does not count where the rule allows types only.
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { ROOT_DIR } from "./helpers/run_main.ts";

const IMPORT_REGEXP =
  /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;
const TOP_FOLDERS = ["ffi", "capture", "clash", "store", "web/api", "web/ui"] as const;
type Folder = typeof TOP_FOLDERS[number] | "web" | "root" | "tests";

interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly isTypeOnly: boolean;
}

/** Files whose values any folder may import: plain records and constants shared across the boundary. */
const SHARED_CONSTANT_FILES = new Set(["capture/types.ts", "clash/types.ts"]);

function folderOf(path: string): Folder {
  for (const folder of TOP_FOLDERS) if (path.startsWith(`${folder}/`)) return folder;
  if (path.startsWith("web/")) return "web";
  if (path.startsWith("tests/")) return "tests";
  return "root";
}

/** Why `edge` breaks the rule of its folder, or null when it is allowed. */
function violation(edge: ImportEdge): string | null {
  const from = folderOf(edge.from);
  const to = folderOf(edge.to);
  if (edge.to === "main.ts") return "nothing imports main.ts";
  if (from === to || from === "tests" || from === "root") return null;
  if (to === "tests" && /_test\.tsx?$/.test(edge.from)) return null;
  switch (from) {
    case "ffi":
      return "ffi/ imports nothing else from netledger";
    case "capture":
      return to === "ffi" ? null : "capture/ imports only ffi/";
    case "clash":
      // The 15-minute bucket length is one shared constant, so both histories line up.
      return edge.to === "capture/types.ts" ? null : "clash/ imports nothing from capture/, store/ or web/";
    case "store":
      if (to !== "capture" && to !== "clash") return "store/ imports only types from capture/ and clash/";
      return edge.isTypeOnly || SHARED_CONSTANT_FILES.has(edge.to)
        ? null
        : "store/ may only `import type` here";
    case "web/api":
      return to === "ffi" ? "web/api/ reaches capture only through capture/mod.ts, never ffi/" : null;
    case "web/ui":
      if (to === "web" && edge.isTypeOnly && /^web\/[a-z_]*api_types\.ts$/.test(edge.to)) return null;
      return "web/ui/ imports only web/ui/ and the type-only web/*api_types.ts";
    case "web":
      return null;
  }
}

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (["node_modules", "dist", "output", ".git"].includes(entry.name)) continue;
      yield* sourceFiles(path);
    } else if (/\.tsx?$/.test(entry.name)) {
      yield path;
    }
  }
}

async function importEdges(): Promise<ImportEdge[]> {
  const edges: ImportEdge[] = [];
  for await (const file of sourceFiles(ROOT_DIR)) {
    const text = await Deno.readTextFile(file);
    for (const match of text.matchAll(IMPORT_REGEXP)) {
      const specifier = match[3] ?? match[4];
      if (!specifier.startsWith(".")) continue;
      const target = relative(ROOT_DIR, join(dirname(file), specifier));
      edges.push({ from: relative(ROOT_DIR, file), to: target, isTypeOnly: match[2] !== undefined });
    }
  }
  return edges;
}

Deno.test("every relative import follows the module boundaries of STYLE.md", async () => {
  const edges = await importEdges();
  assert.ok(edges.length > 50, `expected the whole tree, read ${edges.length} imports`);
  const broken = edges.flatMap((e) => {
    const why = violation(e);
    return why === null ? [] : [`${e.from} → ${e.to}: ${why}`];
  });
  assert.deepEqual(broken, []);
});

Deno.test("violation() rejects a forbidden import and accepts an allowed one", () => {
  assert.match(violation({ from: "capture/ring.ts", to: "store/db.ts", isTypeOnly: false })!, /only ffi/);
  assert.match(violation({ from: "store/db.ts", to: "capture/mod.ts", isTypeOnly: false })!, /import type/);
  assert.equal(violation({ from: "store/db.ts", to: "capture/mod.ts", isTypeOnly: true }), null);
  assert.match(violation({ from: "web/ui/app.tsx", to: "store/mod.ts", isTypeOnly: true })!, /web\/ui/);
  assert.equal(violation({ from: "web/ui/api.ts", to: "web/api_types.ts", isTypeOnly: true }), null);
  assert.match(violation({ from: "web/api/app.ts", to: "main.ts", isTypeOnly: false })!, /main\.ts/);
});
