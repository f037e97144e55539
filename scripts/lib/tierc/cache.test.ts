/** cache: the code hash covers every lib module at any depth, one builder per cell kind, and an edit to a
 * lib module makes the next tier-c run (a separate process on a temporary copy of seam) re-run its cells. */
import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  codeFiles,
  readCodeDigest,
  engineRunKey,
  fuseKey,
  referenceRecordKey,
  reproKey,
  ResultCache,
  type RunKeyInput,
} from "./cache.ts";
import { runProcess } from "../core/proc.ts";
import { ROOT } from "../core/paths.ts";
import { copySeam, tempDir } from "../../testing/testkit.ts";
import { writeFakeKilnd } from "../../testing/fake-kilnd.ts";
import { setDefaultTimeout } from "bun:test";

// Plain `bun test` (bun 1.4.5 ignores bunfig's [test] timeout): the subprocess tests here need more than 5 s.
setDefaultTimeout(300_000);

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(tag: string): string {
  const d = tempDir(tag);
  made.push(d);
  return d;
}

/** A copy of seam's code (scripts/ and package.json, and with `fixtures` the corpus), tools linked in. */
const copyCode = (fixtures = false) =>
  copySeam(temp("seam-cache"), ["package.json", "scripts", ...(fixtures ? ["fixtures"] : [])]);

/** Every module under scripts/lib/, at any depth, found by a walk of its own (not codeFiles' glob). */
function libModules(root: string): string[] {
  return readdirSync(join(root, "scripts", "lib"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => join("scripts", "lib", f))
    .sort();
}

describe("the code hash", () => {
  test("codeFiles lists every .ts under scripts/ at any depth and package.json, never a test nor testing/", () => {
    const root = temp("seam-codefiles");
    const files = [
      "package.json",
      "scripts/a.ts",
      "scripts/a.test.ts",
      "scripts/lib/x/y/deep.ts",
      "scripts/lib/x/y/deep.test.ts",
      "scripts/lib/x/notes.md",
      "scripts/testing/double.ts",
      "other/outside.ts",
    ];
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), `// ${f}\n`);
    }
    expect(codeFiles(root)).toEqual(
      ["package.json", "scripts/a.ts", "scripts/lib/x/y/deep.ts"].map((f) => join(root, f)),
    );
  });

  test("a one-line edit to any module under scripts/lib/** changes it; an edit to a test does not", () => {
    const copy = copyCode();
    const before = readCodeDigest(copy);
    const modules = libModules(copy);
    expect(modules.length).toBeGreaterThan(40);
    expect(modules.some((m) => m.split("/").length > 4)).toBe(true); // a folder within a lib folder
    const listed = new Set(codeFiles(copy));
    for (const m of modules) {
      const path = join(copy, m);
      const text = readFileSync(path, "utf8");
      expect(listed.has(path)).toBe(true);
      appendFileSync(path, "// edited\n");
      expect([m, readCodeDigest(copy) !== before]).toEqual([m, true]);
      writeFileSync(path, text);
    }
    expect(readCodeDigest(copy)).toBe(before);
    appendFileSync(join(copy, "scripts", "lib", "tierc", "attribution.test.ts"), "// edited\n");
    expect(readCodeDigest(copy)).toBe(before);
  });
});

describe("one key builder per cell kind", () => {
  const tool = { path: "/bin/engine", sha256: "e".repeat(64), version: "1.0" };
  const run: RunKeyInput = {
    engine: "wasmtime",
    tool,
    wasmSha: "a".repeat(64),
    args: ["x"],
    memoryLimitBytes: 2 ** 33,
    env: { K: "V" },
    stdin: new TextEncoder().encode("in"),
    invokes: [],
    timeoutMs: 1000,
  };

  test("the same inputs give the same key; any input that changes gives another", () => {
    const base = engineRunKey({ ...run, fuel: undefined });
    expect(engineRunKey({ ...run, fuel: undefined })).toBe(base);
    const changed = [
      { engine: "jco" as const },
      { tool: { ...tool, sha256: "f".repeat(64) } },
      { wasmSha: "b".repeat(64) },
      { args: ["y"] },
      { env: { K: "W" } },
      { stdin: new TextEncoder().encode("other") },
      { stdin: undefined },
      { invokes: ["main"] },
      { timeoutMs: 2000 },
      { fuel: 10 },
    ].map((c) => engineRunKey({ ...run, fuel: undefined, ...c }));
    expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
    // The tool's path and version do not make its digest: the binary's hash does.
    expect(engineRunKey({ ...run, tool: { ...tool, path: "/elsewhere", version: "2" }, fuel: undefined })).toBe(base);
  });

  test("the kinds never share a key, even on the same inputs", () => {
    const meld = { ...tool, path: "/bin/meld" };
    const keys = [
      engineRunKey({ ...run, fuel: undefined }),
      referenceRecordKey({ ...run, engine: "wasmtime" }),
      fuseKey({ meld, wasmSha: run.wasmSha, mode: "multi", form: "core", flags: [] }),
      fuseKey({ meld, wasmSha: run.wasmSha, mode: "multi", form: "component", flags: [] }),
      reproKey({ bundle: "x", wanted: "passed", fusedSha: run.wasmSha, meld, kiln: tool }),
      reproKey({ bundle: "x", wanted: "passed", fusedSha: run.wasmSha, meld }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

type Results = { rows: { cells: { step: string; status: string; cached: boolean }[] }[] };

describe("tier-c on a temporary copy of seam (kilnd: the replaying test double)", () => {
  test("a one-line edit to a lib module, in a nested folder or one tier-c never loads, re-runs every cell", async () => {
    const copy = copyCode(true);
    const kilnd = writeFakeKilnd(dirname(copy));
    const tierC = async () => {
      const argv = ["--fixture", "hello_c_cli", "--memory", "multi", "--form", "core"];
      const p = await runProcess([process.execPath, join(copy, "scripts", "tier-c.ts"), ...argv], {
        cwd: copy,
        env: { ...process.env, KILND: kilnd, MELD_KILND: undefined, NO_COLOR: "1" },
        timeoutMs: 300_000,
      });
      expect([p.code, p.stderr.split("\n").filter((l) => l.includes("error"))]).toEqual([0, []]);
      const r: Results = JSON.parse(readFileSync(join(copy, "out", "tier-c", "results.json"), "utf8"));
      const ran = r.rows.flatMap((x) => x.cells).filter((c) => c.status !== "skipped");
      expect(ran.map((c) => c.step)).toEqual(["reference(original)", "fuse", "reference(fused)", "kiln(fused)"]);
      return ran.map((c) => c.cached);
    };
    expect(await tierC()).toEqual([false, false, false, false]);
    expect(await tierC()).toEqual([true, true, true, true]);
    for (const folder of ["tierc/bundle", "core", "comment"]) {
      const module = libModules(copy).find((m) => dirname(m) === join("scripts", "lib", folder))!;
      appendFileSync(join(copy, module), "// a one-line edit\n");
      expect([module, await tierC()]).toEqual([module, [false, false, false, false]]);
    }
  });
});

test("a cache entry keeps no path of the machine: seam's root and the cache folder are stored by name and read back", () => {
  const dir = tempDir("seam-cache-paths");
  try {
    const cache = new ResultCache(join(dir, ".cache"));
    const value = {
      tool: join(ROOT, ".tools", "bin", "meld"),
      output: join(dir, ".cache", "ab", "ab.core.fused.wasm"),
      command: `${join(ROOT, ".tools", "bin", "meld")} fuse ${join(ROOT, "fixtures", "x.wasm")} -o ${join(dir, ".cache", "f.wasm")}`,
    };
    cache.put("ab12", value);
    const text = readFileSync(cache.path("ab12"), "utf8");
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(dir);
    expect(cache.get("ab12")).toEqual(value);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
