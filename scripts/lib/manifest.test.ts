import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeamError } from "./errors.ts";
import { sha256 } from "./fsx.ts";
import { loadManifest, parseManifest, updateManifestHashes } from "./manifest.ts";
import { tempDir } from "../testing/testkit.ts";

describe("manifest validation", () => {
  const WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
  const GOOD = sha256(WASM);
  const entry = (over: Record<string, string> = {}) => {
    const f: Record<string, string> = {
      name: "one",
      kind: "command",
      summary: "a test fixture",
      file: "one.wasm",
      sha256: GOOD,
      build: "wat",
      sources: "[src/one.wat]",
      expect: '\n      stdout: "hi\\n"',
      meld: "\n      multi: pass\n      shared: pass",
      ...over,
    };
    return (
      "  - " +
      Object.entries(f)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n    ")
    );
  };
  /** Writes a manifest with the given entries next to one.wasm and src/one.wat; returns its path. */
  const write = (entries: string[]) => {
    const dir = tempDir("seam-manifest");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "one.wasm"), WASM);
    writeFileSync(join(dir, "src", "one.wat"), "(component)");
    const path = join(dir, "manifest.yaml");
    writeFileSync(path, `# test\nschema: seam.fixtures/1\nfixtures:\n${entries.join("\n")}\n`);
    return path;
  };
  const errorOf = (path: string): SeamError => {
    try {
      loadManifest(path);
    } catch (e) {
      if (e instanceof SeamError) return e;
      throw e;
    }
    throw new Error("manifest loaded without error");
  };

  test("a good manifest loads with every field typed", () => {
    const m = loadManifest(write([entry({ args: '["a", "b c"]', env: "\n      K: v", stdin: '"in"' })]));
    expect(m.fixtures).toHaveLength(1);
    const f = m.fixtures[0]!;
    expect(f).toMatchObject({
      name: "one",
      kind: "command",
      sha256: GOOD,
      args: ["a", "b c"],
      env: { K: "v" },
      expect: { kind: "exit", exit: 0, stdout: "hi\n" },
    });
    expect(new TextDecoder().decode(f.stdin)).toBe("in");
    expect(f.meld.multi).toEqual({ outcome: "pass" });
  });

  test("an unknown kind is one line naming file:line:col, the fixture and the field", () => {
    const e = errorOf(write([entry({ kind: "library" })]));
    expect(e.message).toMatch(
      /manifest\.yaml:5:11: fixture one: kind: unknown value "library" \(expected one of: command, invoke\)$/,
    );
    expect(e.message).not.toContain("\n");
    expect(e.exitCode).toBe(2);
  });

  test("a missing file names the fixture and the file field", () => {
    expect(errorOf(write([entry({ file: "gone.wasm" })])).message).toMatch(
      /manifest\.yaml:7:11: fixture one: file: gone\.wasm not found$/,
    );
  });

  test("a wrong hash names the fixture, the sha256 field and the file's real hash", () => {
    const e = errorOf(write([entry({ sha256: "0".repeat(64) })]));
    expect(e.message).toContain(
      `manifest.yaml:8:13: fixture one: sha256: does not match one.wasm (the file has ${GOOD})`,
    );
    expect(errorOf(write([entry({ sha256: "ab".repeat(32) })])).message).toContain(
      `manifest.yaml:8:13: fixture one: sha256: does not match one.wasm (the file has ${GOOD})`,
    );
  });

  test("a duplicate name points at the second one and the line of the first", () => {
    const e = errorOf(write([entry(), entry()]));
    expect(e.message).toMatch(/manifest\.yaml:16:11: fixture one: name: duplicate name \(first used on line 4\)$/);
  });

  test("a misspelt field, a missing expectation and a refusal without meld's words are each found", () => {
    const path = write([
      entry({
        sumary: "typo",
        expect: "\n      exit: 3",
        meld: "\n      multi: pass\n      shared:\n        outcome: refused",
      }),
    ]);
    const { problems } = parseManifest(readFileSync(path, "utf8"), path);
    expect(problems.map((p) => `${p.line} ${p.fixture} ${p.field}`)).toEqual([
      "17 one sumary",
      "12 one expect.stdout",
      "16 one meld.shared.message",
    ]);
    expect(errorOf(path).hint).toContain("2 more problem(s)");
  });

  test("a Rust or C++ build without its .c entry point, or with a stray file, names the field and the rule", () => {
    const rust = write([entry({ build: "rust-command", sources: "[src/one.rs]" })]);
    expect(
      parseManifest(readFileSync(rust, "utf8"), rust, { checkFiles: false }).problems.map(
        (p) => `${p.field}: ${p.message}`,
      ),
    ).toEqual([
      "sources: a rust-command build takes .rs files (the first is the crate root) and the .c entry point (src/c/seam_start.c)",
    ]);
    const plain = write([entry({ build: "rust-command-plain", sources: "[src/one.rs, src/c/seam_start.c]" })]);
    expect(
      parseManifest(readFileSync(plain, "utf8"), plain, { checkFiles: false }).problems.map((p) => p.message),
    ).toEqual(["a rust-command-plain build takes .rs files only (the first is the crate root)"]);
    const cpp = write([entry({ build: "cpp-command", sources: "[src/one.cpp, src/one.wat, src/c/seam_start.c]" })]);
    expect(parseManifest(readFileSync(cpp, "utf8"), cpp, { checkFiles: false }).problems.map((p) => p.message)).toEqual(
      ["a cpp-command build takes .cpp files and the .c entry point (src/c/seam_start.c)"],
    );
    const good = write([entry({ build: "cpp-command", sources: "[src/one.cpp, src/c/seam_start.c]" })]);
    expect(parseManifest(readFileSync(good, "utf8"), good, { checkFiles: false }).problems).toEqual([]);
  });

  test("a prebuilt fixture's one source is its committed binary", () => {
    const good = write([entry({ build: "prebuilt", sources: "[one.wasm]" })]);
    expect(loadManifest(good).fixtures[0]!.build).toBe("prebuilt");
    for (const sources of ["[src/one.wat]", "[one.wasm, src/one.wat]"]) {
      const bad = write([entry({ build: "prebuilt", sources })]);
      expect(parseManifest(readFileSync(bad, "utf8"), bad).problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
        "sources: a prebuilt fixture's one source is its committed binary: [one.wasm]",
      ]);
    }
  });

  test("a YAML syntax error keeps its position", () => {
    const path = write([entry({ summary: "a: b: c" })]);
    expect(errorOf(path).message).toMatch(
      /manifest\.yaml:6:14: yaml: Nested mappings are not allowed in compact mappings$/,
    );
  });

  test("a result written as a bare number must be quoted, as an engine prints it", () => {
    const path = write([
      entry({ kind: "invoke", expect: "", invoke: "\n      - export: f\n        result: 42" }).replace(
        "\n    expect: ",
        "",
      ),
    ]);
    expect(errorOf(path).message).toMatch(/fixture one: invoke\[0\]\.result: must be a string \(quote it: "42"\)$/);
  });

  test("updateManifestHashes rewrites the value in place and adds a missing line, leaving the rest alone", () => {
    const text = `# keep me\nschema: seam.fixtures/1\nfixtures:\n  - name: a\n    file: a.wasm\n    sha256: old # a comment\n  - name: b\n    file: "b.wasm"\n    build: wat\n`;
    const next = updateManifestHashes(text, { a: "1".repeat(64), b: "2".repeat(64) });
    expect(next).toBe(
      `# keep me\nschema: seam.fixtures/1\nfixtures:\n  - name: a\n    file: a.wasm\n    sha256: ${"1".repeat(64)} # a comment\n  - name: b\n    file: "b.wasm"\n    sha256: ${"2".repeat(64)}\n    build: wat\n`,
    );
  });
});
