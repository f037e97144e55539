/**
 * seam's shape, checked: rules that protect a reader. No import cycles; no re-exports (a name is
 * imported from the module that defines it); test doubles only under scripts/testing/, used only by tests,
 * benchmarks and the README generator; no script importing another, and lib/ knowing no script; short
 * mains (≤ 40 lines) and functions and class methods (≤ 60), save a named allow-list of templates and
 * tables; every script with a shebang and a header. File sizes are a report (printed to stderr once),
 * not a rule. Reads the source as prettier formats it (a top-level function ends at the first line that
 * closes at column 0); functions nested inside others are not measured.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { Glob } from "bun";
import { ROOT } from "./lib/core/paths.ts";

const SCRIPTS = join(ROOT, "scripts");
const all = [...new Glob("**/*.ts").scanSync({ cwd: SCRIPTS, onlyFiles: true })].sort();
const code = all.filter((f) => !f.endsWith(".test.ts"));
const sources = new Map<string, string>();
const text = (f: string) => sources.get(f) ?? sources.set(f, readFileSync(join(SCRIPTS, f), "utf8")).get(f)!;
const lines = (f: string) => text(f).split("\n").length - (text(f).endsWith("\n") ? 1 : 0);
const isScript = (f: string) => dirname(f) === "." && !f.endsWith(".test.ts");

/** Functions allowed over the limit, as `file:function` (a method as `Class.method`), each with why. A
 * template or a table reads best whole; logic does not go here. */
export const LONG_ALLOWED: Record<string, string> = {};

/** The bracket depth of code at the end of each line: strings, template literals (but the code of
 * their `${…}`), regular expression literals and comments hold brackets that do not nest code. */
export function depthAtLineEnds(source: string): number[] {
  const ends: number[] = [];
  let depth = 0;
  let state: "code" | "'" | '"' | "`" | "re" | "class" | "line" | "block" = "code";
  const holes: number[] = []; // depth at each open `${` of a template literal, innermost last
  let prev = ""; // the last significant code character, to tell a regex from a division
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\n") {
      ends.push(depth);
      if (state === "line") state = "code";
      continue;
    }
    if (state === "line") continue;
    if (state === "block") {
      if (c === "*" && source[i + 1] === "/") ((state = "code"), i++);
      continue;
    }
    if (state === "`" && c === "$" && source[i + 1] === "{") {
      holes.push(depth++);
      ((state = "code"), (prev = "{"), i++);
      continue;
    }
    if (state !== "code") {
      if (c === "\\") i++;
      else if (state === "re" && c === "[") state = "class";
      else if (state === "class" && c === "]") state = "re";
      else if ((state === "re" && c === "/") || c === state) ((state = "code"), (prev = "x"));
      continue;
    }
    if (c === "}" && holes.length && depth - 1 === holes[holes.length - 1]) {
      (holes.pop(), depth--, (state = "`"));
      continue;
    }
    if (c === "/" && source[i + 1] === "/") state = "line";
    else if (c === "/" && source[i + 1] === "*") state = "block";
    else if (
      c === "/" &&
      (prev === "" || "(,=:[!&|?{};>+-*%<~^".includes(prev) || /\breturn\s*$/.test(source.slice(Math.max(0, i - 8), i)))
    )
      state = "re";
    else if (c === "'" || c === '"' || c === "`") state = c;
    else if ("({[".includes(c)) depth++;
    else if (")}]".includes(c)) depth--;
    if (!/\s/.test(c) && state === "code") prev = c;
  }
  ends.push(depth);
  return ends;
}

interface Measured {
  name: string;
  line: number;
  length: number;
}

/** The last line of a body that starts on line `i`: the first line after which the brackets are back at
 * `base` and the line ends a statement or a block. */
function bodyEnd(src: string[], depth: number[], i: number, base: number): number {
  let end = i;
  while (end + 1 < src.length && (depth[end]! > base || !/[;})\]]\s*$/.test(src[end]!))) end++;
  return end;
}

/** Top-level functions: name, first line, length in lines. */
export function topLevelFunctions(source: string): Measured[] {
  const src = source.split("\n");
  const depth = depthAtLineEnds(source);
  const start =
    /^(?:export )?(?:async )?function\*? ?([A-Za-z0-9_$]+)|^(?:export )?const ([A-Za-z0-9_$]+)(?:: [^=]+)? = (?:async )?(?:\([^)]*\)|[A-Za-z0-9_$]+)(?:: [^=]+)? =>/;
  return src.flatMap((l, i) => {
    const m = start.exec(l);
    return m ? [{ name: m[1] ?? m[2]!, line: i + 1, length: bodyEnd(src, depth, i, 0) - i + 1 }] : [];
  });
}

/** The methods (constructor, accessors, arrow-function fields) of top-level classes, as `Class.method`. */
export function classMethods(source: string): Measured[] {
  const src = source.split("\n");
  const depth = depthAtLineEnds(source);
  const klass = /^(?:export )?(?:default )?(?:abstract )?class ([A-Za-z0-9_$]+)/;
  const method =
    /^ {2}(?:(?:public|private|protected|static|readonly|override|async|get|set) )*\*?(#?[A-Za-z0-9_$]+)\??(?:<[^>]*>)?\(|^ {2}(?:(?:public|private|protected|static|readonly) )*(#?[A-Za-z0-9_$]+)(?:: [^=]+)? = (?:async )?(?:\([^)]*\)|[A-Za-z0-9_$]+)(?:: [^=]+)? =>/;
  const out: Measured[] = [];
  let inside: string | undefined;
  src.forEach((l, i) => {
    const atStart = i === 0 ? 0 : depth[i - 1]!;
    if (atStart === 0) inside = klass.exec(l)?.[1];
    const m = inside && atStart === 1 ? method.exec(l) : null;
    if (m) out.push({ name: `${inside}.${m[1] ?? m[2]}`, line: i + 1, length: bodyEnd(src, depth, i, 1) - i + 1 });
  });
  return out;
}

/** The module specifiers a source imports: `import … from`, `import type … from`, `export … from`, a bare
 * `import "…"`, and `import("…")` with a literal string. */
export function importSpecifiers(source: string): string[] {
  const found = [
    ...source.matchAll(
      /^(?:import|export)\s+(?:type\s+)?(?:[A-Za-z0-9_$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[A-Za-z0-9_$]+)?|[A-Za-z0-9_$]+)\s+from\s+"([^"]+)"/gm,
    ),
    ...source.matchAll(/^import\s+"([^"]+)"/gm),
    ...source.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ];
  return [...new Set(found.map((m) => m[1]!))];
}

/** The import graph of `files` (paths relative to one folder): each file to the files it imports by a
 * relative specifier. */
export function importGraph(files: string[], read: (f: string) => string): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((f) => [
      f,
      importSpecifiers(read(f))
        .filter((s) => s.startsWith("."))
        .map((s) => normalize(join(dirname(f), s)))
        .filter((t) => known.has(t))
        .sort(),
    ]),
  );
}

/** The strongly connected components of a graph (Tarjan), members sorted. */
function components(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    out.push(scc.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** The shortest way back to `from` inside `members` (breadth first), as a path from `from` to `from`. */
function shortestLoop(graph: Map<string, string[]>, from: string, members: Set<string>): string[] {
  const came = new Map<string, string>();
  const queue = [from];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k]!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === from) {
        const path = [from];
        for (let x: string | undefined = v; x !== undefined && x !== from; x = came.get(x)) path.unshift(x);
        return [from, ...path];
      }
      if (!came.has(w)) (came.set(w, v), queue.push(w));
    }
  }
  return [from];
}

/** Every import cycle, one line per strongly connected component: the shortest loop through its first
 * file, and the other files of the component when the loop does not pass them all. */
export function findCycles(graph: Map<string, string[]>): string[] {
  return components(graph)
    .filter((scc) => scc.length > 1 || (graph.get(scc[0]!) ?? []).includes(scc[0]!))
    .map((scc) => {
      const loop = shortestLoop(graph, scc[0]!, new Set(scc));
      const rest = scc.filter((f) => !loop.includes(f));
      return loop.join(" → ") + (rest.length ? ` (with ${rest.join(", ")})` : "");
    });
}

/** Re-exports: `export … from "…"` lines, and `export { … }` lists that name an imported binding. */
export function reExports(source: string): string[] {
  const imported = new Set(
    [...source.matchAll(/^import\s+(?:type\s+)?([^;]*?)\s+from\s+"[^"]+"/gms)].flatMap((m) =>
      m[1]!
        .replace(/[{}*]/g, " ")
        .split(/[\s,]+/)
        .filter((w) => w && w !== "as" && w !== "type"),
    ),
  );
  const from = [...source.matchAll(/^export\s+(?:type\s+)?(?:\*|\{[^}]*\})(?:\s+as\s+\S+)?\s+from\s+"[^"]+"/gm)];
  const lists = [...source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}\s*;/gm)].filter((m) =>
    m[1]!.split(",").some((n) => imported.has(n.trim().split(/\s+/)[0]!)),
  );
  return [...from, ...lists].map((m) => m[0].replace(/\s+/g, " "));
}

/** The line counts as a short report: per folder its files and lines, then the largest files. */
export function sizeReport(sizes: { file: string; lines: number }[], top = 8): string {
  const folder = (f: string) => (dirname(f) === "." ? "scripts/" : `scripts/${dirname(f)}/`);
  const byFolder = new Map<string, { files: number; lines: number }>();
  for (const s of sizes) {
    const t = byFolder.get(folder(s.file)) ?? { files: 0, lines: 0 };
    byFolder.set(folder(s.file), { files: t.files + 1, lines: t.lines + s.lines });
  }
  const row = (name: string, a: string, b: string) => `  ${name.padEnd(34)} ${a.padStart(6)} ${b.padStart(7)}`;
  return [
    "file sizes (a report, not a rule):",
    row("folder", "files", "lines"),
    ...[...byFolder].sort(([a], [b]) => a.localeCompare(b)).map(([f, t]) => row(f, `${t.files}`, `${t.lines}`)),
    "  largest:",
    ...[...sizes]
      .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file))
      .slice(0, top)
      .map((s) => row(`scripts/${s.file}`, "", `${s.lines}`)),
  ].join("\n");
}

afterAll(() => {
  process.stderr.write(sizeReport(all.map((file) => ({ file, lines: lines(file) }))) + "\n");
});

let graph: Map<string, string[]> | undefined;
const importsOf = (f: string) => (graph ??= importGraph(all, text)).get(f) ?? [];

describe("the finders, on literal input", () => {
  test("the function finder reads prettier's output", () => {
    const src =
      'export function a(x: number): number {\n  return x;\n}\n\nconst b = (y: string) => y;\nasync function main(argv: string[]): Promise<number> {\n  if (x) {\n    y("(");\n  }\n  return 0;\n}\nconst q = (s: string) =>\n  f(s, {\n    x: 1,\n  }).trim();\n';
    expect(topLevelFunctions(src)).toEqual([
      { name: "a", line: 1, length: 3 },
      { name: "b", line: 5, length: 1 },
      { name: "main", line: 6, length: 6 },
      { name: "q", line: 12, length: 4 },
    ]);
  });

  test("the method finder measures the methods of classes, and nothing nested in them", () => {
    const src = [
      "export class Cache {", // 1
      "  readonly stats = { total: 0 };",
      "  private last?: string;",
      "  constructor(",
      "    readonly dir: string,", // 5
      "    private readonly o: { f: () => void },",
      "  ) {}",
      "",
      "  get<T>(key: string): T | undefined {",
      "    const inner = () => {", // 10
      "      return 1;",
      "    };",
      '    return this.o.f("}") as T;',
      "  }",
      "  private async put(key: string): Promise<void> {", // 15
      "    await x;",
      "  }",
      "  static from = (s: string) =>",
      "    new Cache(s, {",
      "      f() {}", // 20
      "    });",
      "  get size(): number {",
      "    return 1;",
      "  }",
      "}", // 25
      "function after() {",
      "  return 0;",
      "}",
      "class Capture {",
      "  push(chunk: Buffer): void {", // 30
      "    this.bytes += chunk.length;",
      "  }",
      "}",
      "",
    ].join("\n");
    expect(classMethods(src)).toEqual([
      { name: "Cache.constructor", line: 4, length: 4 },
      { name: "Cache.get", line: 9, length: 6 },
      { name: "Cache.put", line: 15, length: 3 },
      { name: "Cache.from", line: 18, length: 4 },
      { name: "Cache.size", line: 22, length: 3 },
      { name: "Capture.push", line: 30, length: 3 },
    ]);
    expect(topLevelFunctions(src).map((f) => f.name)).toEqual(["after"]);
  });

  test("the import reader sees every kind of import, and only imports", () => {
    const src = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      "import {",
      "  c,",
      "  type D,",
      '} from "./lib/c.ts";',
      'import * as e from "./e.ts";',
      'import f, { g } from "./f.ts";',
      'import "./side.ts";',
      'export { h } from "./h.ts";',
      'export type { I } from "./i.ts";',
      'export * from "./j.ts";',
      'const k = await import("./k.ts");',
      'import { join } from "node:path";',
      'const s = "import { x } from \\"./not.ts\\"";',
      "",
    ].join("\n");
    expect(importSpecifiers(src).sort()).toEqual(
      ["./a.ts", "../b.ts", "./lib/c.ts", "./e.ts", "./f.ts", "./side.ts", "./h.ts", "./i.ts", "./j.ts"]
        .concat(["./k.ts", "node:path"])
        .sort(),
    );
  });

  test("the import graph resolves relative specifiers against the importing file", () => {
    const files: Record<string, string> = {
      "a.ts": 'import { b } from "./lib/x/b.ts";\nimport { n } from "node:fs";\n',
      "lib/x/b.ts": 'import type { C } from "../y/c.ts";\nimport { gone } from "./gone.ts";\n',
      "lib/y/c.ts": 'export const c = await import("../../a.ts");\n',
    };
    expect(Object.fromEntries(importGraph(Object.keys(files), (f) => files[f]!))).toEqual({
      "a.ts": ["lib/x/b.ts"],
      "lib/x/b.ts": ["lib/y/c.ts"],
      "lib/y/c.ts": ["a.ts"],
    });
  });

  test("the cycle finder reports each loop as a path, once per tangle, and nothing for a tree", () => {
    const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
    expect(findCycles(g({ a: ["b", "c"], b: ["c"], c: [] }))).toEqual([]);
    expect(findCycles(g({ "write.ts": ["text.ts"], "text.ts": ["write.ts"] }))).toEqual([
      "text.ts → write.ts → text.ts",
    ]);
    expect(findCycles(g({ m: ["e"], e: ["x"], x: ["m"], z: ["m"] }))).toEqual(["e → x → m → e"]);
    expect(findCycles(g({ a: ["a"], b: [] }))).toEqual(["a → a"]);
    expect(findCycles(g({ a: ["b"], b: ["a", "c"], c: ["d"], d: ["b"], e: ["f"], f: ["e"] }))).toEqual([
      "a → b → a (with c, d)",
      "e → f → e",
    ]);
  });

  test("the re-export finder flags export-from lines and exported imports, not a module's own exports", () => {
    const src = [
      'import { a, b as bee } from "./a.ts";',
      'import type { T } from "./t.ts";',
      'export * from "./types.ts";',
      'export { x, y } from "./xy.ts";',
      'export type { Z } from "./z.ts";',
      "export { a };",
      "export type { T };",
      "const own = 1;",
      "export { own };",
      "export const c = bee;",
      "",
    ].join("\n");
    expect(reExports(src)).toEqual([
      'export * from "./types.ts"',
      'export { x, y } from "./xy.ts"',
      'export type { Z } from "./z.ts"',
      "export { a };",
      "export type { T };",
    ]);
  });

  test("the size report lists folders and the largest files", () => {
    expect(
      sizeReport(
        [
          { file: "a.ts", lines: 10 },
          { file: "lib/core/b.ts", lines: 30 },
          { file: "lib/core/c.ts", lines: 20 },
        ],
        2,
      ),
    ).toBe(
      [
        "file sizes (a report, not a rule):",
        "  folder                              files   lines",
        "  scripts/                                1      10",
        "  scripts/lib/core/                       2      50",
        "  largest:",
        "  scripts/lib/core/b.ts                          30",
        "  scripts/lib/core/c.ts                          20",
      ].join("\n"),
    );
  });
});

describe("seam's shape", () => {
  test("no import cycles under scripts/", () => {
    expect(findCycles(importGraph(code, text))).toEqual([]);
  });

  test("no re-exports: every name is imported from the module that defines it", () => {
    const found = code.flatMap((f) => reExports(text(f)).map((r) => `${f}: ${r}`));
    expect(found).toEqual([]);
  });

  test("every main is 40 lines or fewer, and no function or method is over 60, save the named allow-list", () => {
    const measured = code.flatMap((f) =>
      [...topLevelFunctions(text(f)), ...classMethods(text(f))].map((fn) => ({ ...fn, file: f })),
    );
    const over = measured.filter((fn) => fn.length > (fn.name === "main" ? 40 : 60));
    const long = over
      .filter((fn) => !(`${fn.file}:${fn.name}` in LONG_ALLOWED))
      .map((fn) => `${fn.file}:${fn.line} ${fn.name}: ${fn.length} lines`);
    expect(long).toEqual([]);
    const stale = Object.entries(LONG_ALLOWED)
      .filter(([k, why]) => !over.some((fn) => `${fn.file}:${fn.name}` === k) || why.trim() === "")
      .map(([k]) => `${k}: not over its limit (or no reason given); take it off LONG_ALLOWED`);
    expect(stale).toEqual([]);
  });

  test("test doubles live only under scripts/testing/, and only tests, benchmarks and the README generator use them", () => {
    const doubles = all.filter((f) => /TEST DOUBLE/.test(text(f).slice(0, 600)) && !f.startsWith("testing/"));
    expect(doubles).toEqual([]);
    const users = code.filter((f) => !f.startsWith("testing/") && importsOf(f).some((i) => i.startsWith("testing/")));
    expect(users.sort()).toEqual(["bench.ts", "troubleshooting.ts"]);
  });

  test("no script imports another script; lib/ imports no script", () => {
    const bad = code
      .filter((f) => !f.startsWith("testing/"))
      .flatMap((f) =>
        importsOf(f)
          .filter(isScript)
          .map((i) => `${f} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  test("one schema list: no schema ID is written out anywhere in seam's code but SCHEMAS (lib/engines/records.ts)", () => {
    const strays = code
      .filter((f) => !f.startsWith("testing/") && f !== "lib/engines/records.ts")
      .flatMap((f) => [...text(f).matchAll(/"seam\.[a-z-]+\/\d+"/g)].map((m) => `${f}: ${m[0]}`));
    expect(strays).toEqual([]);
  });

  test("every script starts with #!/usr/bin/env bun and a header naming its callers and usage", () => {
    const missing = all.filter(
      (f) =>
        isScript(f) &&
        (!text(f).startsWith("#!/usr/bin/env bun\n/**") ||
          !/Usage:/.test(text(f).slice(0, 2000)) ||
          !/Called by:/.test(text(f).slice(0, 2000))),
    );
    expect(missing.map((f) => relative(".", f))).toEqual([]);
  });
});
