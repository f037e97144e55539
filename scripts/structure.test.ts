/**
 * seam's shape, checked: files short enough to read in one sitting, short mains and functions, test
 * doubles only under scripts/testing/, no script importing another except the cores it reuses, and
 * lib/ knowing no script. Reads the source as prettier formats it (a top-level function ends at the
 * first line that closes at column 0); functions nested inside others are not measured.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { Glob } from "bun";
import { ROOT } from "./lib/core/paths.ts";

const SCRIPTS = join(ROOT, "scripts");
const all = [...new Glob("**/*.ts").scanSync({ cwd: SCRIPTS, onlyFiles: true })].sort();
const text = (f: string) => readFileSync(join(SCRIPTS, f), "utf8");
const lines = (f: string) => text(f).split("\n").length - (text(f).endsWith("\n") ? 1 : 0);

/** A file's limit: scripts and their tests 400 lines, lib/ 300, test doubles 400. */
const LIMIT: Record<string, number> = { ".": 400, lib: 300, testing: 400 };

/** Which scripts a script may import: the cores it reuses. */
const REUSES: Record<string, string[]> = {
  "tier-c.ts": ["fuse.ts", "run-kiln.ts"],
  "fixtures.ts": ["fuse.ts", "run-kiln.ts"],
  "all.ts": ["tools.ts", "fixtures.ts", "fuse.ts", "tier-c.ts", "ls-gate.ts", "post-comment.ts"],
  "bench.ts": ["tier-c.ts", "bench-ls-gate.ts"],
  "bench-ls-gate.ts": ["ls-gate.ts"],
};

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

/** Top-level functions: name, first line, length in lines. A function ends on the first line after
 * which its brackets are closed again and the line ends a statement or a block. */
export function topLevelFunctions(source: string): { name: string; line: number; length: number }[] {
  const src = source.split("\n");
  const depth = depthAtLineEnds(source);
  const out: { name: string; line: number; length: number }[] = [];
  const start =
    /^(?:export )?(?:async )?function\*? ?([A-Za-z0-9_$]+)|^(?:export )?const ([A-Za-z0-9_$]+)(?:: [^=]+)? = (?:async )?(?:\([^)]*\)|[A-Za-z0-9_$]+)(?:: [^=]+)? =>/;
  src.forEach((l, i) => {
    const m = start.exec(l);
    if (!m) return;
    let end = i;
    while (end + 1 < src.length && (depth[end]! > 0 || !/[;})\]]\s*$/.test(src[end]!))) end++;
    out.push({ name: m[1] ?? m[2]!, line: i + 1, length: end - i + 1 });
  });
  return out;
}

const importsOf = (f: string) =>
  [...text(f).matchAll(/^import [^;]*? from "(\.[^"]+)";/gms)].map((m) => join(dirname(f), m[1]!));

describe("seam's shape", () => {
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

  test("no file over its limit: scripts 400 lines, lib 300, test doubles 400", () => {
    const area = (f: string) => (f.includes("/") ? f.split("/")[0]! : ".");
    const over = all
      .filter((f) => lines(f) > LIMIT[area(f)]!)
      .map((f) => `${f}: ${lines(f)} lines (limit ${LIMIT[area(f)]})`);
    expect(over).toEqual([]);
  });

  test("every main is 40 lines or fewer, and no top-level function is over 60", () => {
    const long = all.flatMap((f) =>
      topLevelFunctions(text(f))
        .filter((fn) => !f.endsWith(".test.ts") && fn.length > (fn.name === "main" ? 40 : 60))
        .map((fn) => `${f}:${fn.line} ${fn.name}: ${fn.length} lines`),
    );
    expect(long).toEqual([]);
  });

  test("test doubles live only under scripts/testing/, and only tests, benchmarks and the README generator use them", () => {
    const doubles = all.filter((f) => /TEST DOUBLE/.test(text(f).slice(0, 600)) && !f.startsWith("testing/"));
    expect(doubles).toEqual([]);
    const users = all.filter(
      (f) => !f.startsWith("testing/") && !f.endsWith(".test.ts") && importsOf(f).some((i) => i.startsWith("testing/")),
    );
    expect(users.sort()).toEqual(["bench.ts", "troubleshooting.ts"]);
  });

  test("no script imports another except a core it reuses; lib/ imports no script", () => {
    const bad = all
      .filter((f) => !f.endsWith(".test.ts") && !f.startsWith("testing/"))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => dirname(i) === "." && !(dirname(f) === "." && (REUSES[basename(f)] ?? []).includes(i)))
          .map((i) => `${f} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  test("every script starts with #!/usr/bin/env bun and a header naming its callers and usage", () => {
    const scripts = all.filter((f) => dirname(f) === "." && !f.endsWith(".test.ts"));
    const missing = scripts.filter(
      (f) =>
        !text(f).startsWith("#!/usr/bin/env bun\n/**") ||
        !/Usage:/.test(text(f).slice(0, 2000)) ||
        !/Called by:/.test(text(f).slice(0, 2000)),
    );
    expect(missing.map((f) => relative(".", f))).toEqual([]);
  });
});
