import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { verifyFixtures, type CheckRow } from "./lib/fixtures/verify.ts";
import { buildFixtures } from "./lib/fixtures/build.ts";
import { mapLimit } from "./lib/core/pool.ts";
import { DEFAULT_MANIFEST, loadManifest } from "./lib/fixtures/manifest.ts";
import type { Fixture } from "./lib/fixtures/fixture.ts";
import { sha256File } from "./lib/core/fsx.ts";
import { buildOne } from "./lib/fixtures/recipes.ts";
import {
  findClang,
  findRustc,
  libcxxMissing,
  pathWithoutWasmOpt,
  PINNED_CLANG,
  PINNED_RUSTC,
  skipNotices,
} from "./lib/fixtures/toolchains.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
import { requireTool } from "./lib/tools/lookup.ts";
import { ROOT } from "./lib/core/paths.ts";
import { runProcess } from "./lib/core/proc.ts";

// Engine and build checks start a node process per run (~0.5-1 s each on two cores).
setDefaultTimeout(600_000);

const MANIFEST = loadManifest();
const NAMES = MANIFEST.fixtures.map((f) => f.name);

/** A fixture's entry as the committed manifest writes it (up to the next entry). */
function entryText(name: string): string {
  const text = readFileSync(DEFAULT_MANIFEST, "utf8");
  const start = text.indexOf(`  - name: ${name}\n`);
  const next = text.indexOf("\n  - name: ", start + 1);
  return text.slice(start, next < 0 ? text.length : next + 1);
}

function fixture(name: string): Fixture {
  const f = MANIFEST.fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
}

describe("the corpus", () => {
  test("has at least the ten fixtures issue 4 asks for, each command or invoke", () => {
    for (const name of [
      "hello_c_cli",
      "args_env",
      "stdin_echo",
      "exit_code",
      "big_output",
      "trap",
      "compute_composed",
      "strings_across",
      "lists_records_across",
      "command_composed",
    ]) {
      expect(NAMES).toContain(name);
    }
    expect(fixture("compute_composed").invoke.map((c) => c.result)).toEqual(["42", "7"]);
    expect(fixture("command_composed").kind).toBe("command");
  });

  test("carries upstream's three Tier C commands, each printing upstream's line", () => {
    const line = (name: string) => {
      const e = fixture(name).expect;
      return e?.kind === "exit" ? e.stdout : undefined;
    };
    expect(line("hello_c_cli")).toBe("Hello wasm component world from C!\n");
    expect(line("hello_rust")).toBe("Hello wasm component world from Rust!\n");
    expect(line("hello_cpp_cli")).toBe("Hello wasm component world from C++!\n");
    expect([fixture("hello_rust").build, fixture("hello_cpp_cli").build]).toEqual(["rust-command", "cpp-command"]);
    expect(fixture("rust_args_env_stdin")).toMatchObject({
      kind: "command",
      args: ["alpha", "two words", "ünïcode"],
      env: { SEAM_FX_GREETING: "hello from the host", SEAM_FX_NUMBER: "42" },
    });
    expect(fixture("rust_args_env_stdin").stdin?.length).toBeGreaterThan(0);
  });

  test("every committed binary matches its manifest hash", () => {
    for (const f of MANIFEST.fixtures)
      expect({ name: f.name, sha256: sha256File(f.file) }).toEqual({ name: f.name, sha256: f.sha256 });
  });

  test("composed fixtures nest separate components instantiated with each other", () => {
    for (const name of [
      "compute_composed",
      "strings_across",
      "lists_records_across",
      "command_composed",
      "command_composed_c",
    ]) {
      const wat = readFileSync(
        fixture(name).sourcePaths.find((p) => p.endsWith(".wat"))!,
        "utf8",
      );
      expect(wat.match(/^\s*\(component \$\w+/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(wat).toMatch(/\(instantiate \$consumer\s+\(with /);
    }
  });
});

describe("build", () => {
  test("without clang the C fixtures are skipped with one notice and the WAT ones still rebuild identically", async () => {
    const r = await buildFixtures({
      check: true,
      only: ["hello_c_cli", "compute_composed"],
      env: { PATH: "/nonexistent" },
    });
    expect(r.tools.clang).toBeNull();
    expect(r.notices).toEqual(["clang not found on PATH; C fixtures not rebuilt, committed binaries kept"]);
    expect(r.fixtures.map((f) => [f.name, f.status])).toEqual([
      ["hello_c_cli", "skipped"],
      ["compute_composed", "unchanged"],
    ]);
  });

  test("without rustc the Rust fixtures are skipped with their own line, apart from the C and C++ ones", async () => {
    const r = await buildFixtures({
      check: true,
      only: ["hello_c_cli", "hello_rust", "rust_args_env_stdin_plain", "hello_cpp_cli", "compute_composed"],
      env: { PATH: "/nonexistent", RUSTC: "/nonexistent/rustc" },
    });
    expect(r.tools.rustc).toBeNull();
    expect(r.notices).toEqual([
      "clang not found on PATH; C and C++ fixtures not rebuilt, committed binaries kept",
      "RUSTC=/nonexistent/rustc does not exist; Rust fixtures not rebuilt, committed binaries kept",
    ]);
    expect(r.fixtures.map((f) => [f.name, f.status, f.why])).toEqual([
      ["hello_c_cli", "skipped", r.notices[0]],
      ["compute_composed", "unchanged", undefined],
      ["hello_rust", "skipped", r.notices[1]],
      ["rust_args_env_stdin_plain", "skipped", r.notices[1]],
      ["hello_cpp_cli", "skipped", r.notices[0]],
    ]);
  });

  test("a toolchain other than the pinned one is named and its fixtures are not compared", () => {
    const notices = skipNotices([
      { f: fixture("hello_rust"), why: "rustc 1.64.0 is not the pinned 1.63.0" },
      { f: fixture("rust_args_env_stdin_plain"), why: "rustc 1.64.0 is not the pinned 1.63.0" },
      { f: fixture("cpp_iostream"), why: "clang 15.0.7 is not the pinned 14.0.6" },
      { f: fixture("args_env"), why: "clang 15.0.7 is not the pinned 14.0.6" },
    ]);
    expect([...notices.values()]).toEqual([
      "rustc 1.64.0 is not the pinned 1.63.0; Rust fixtures not compared (their bytes depend on the rustc version)",
      "clang 15.0.7 is not the pinned 14.0.6; C and C++ fixtures not compared (their bytes depend on the clang version)",
    ]);
  });

  test("a rustc without the wasm32-wasi std (a rustup toolchain, say) is refused with the package to install", async () => {
    const dir = tempDir("seam-rustc");
    const rustc = join(dir, "rustc");
    // Test double: answers -vV like rustup's rustc and fails the wasm32-wasi lookup as it does.
    writeFileSync(
      rustc,
      '#!/bin/sh\nif [ "$1" = -vV ]; then printf "rustc 1.95.0 (59807616e 2026-04-14)\\nhost: x86_64-unknown-linux-gnu\\n"; exit 0; fi\necho "error: could not find specification for target \\"wasm32-wasi\\"" >&2; exit 1\n',
    );
    chmodSync(rustc, 0o755);
    expect(await findRustc({ RUSTC: rustc })).toEqual({
      why: `${rustc} 1.95.0 cannot build wasm32-wasi (libstd-rust-dev-wasm32 missing)`,
    });
    expect((await findRustc({ RUSTC: join(dir, "absent") })).why).toBe(`RUSTC=${join(dir, "absent")} does not exist`);
  });

  test("a rebuild reproduces every committed binary byte for byte (C, C++ and Rust when their pinned toolchains are present)", async () => {
    const clang = (await findClang()).clang;
    const clangOk = clang?.version === PINNED_CLANG;
    const cxxOk = clangOk && (await libcxxMissing(clang!.path)) === undefined;
    const rustcOk = (await findRustc()).rustc?.version === PINNED_RUSTC;
    const r = await buildFixtures({ check: true });
    // rust-command links seam_start.c, so it needs clang too; rust-command-plain is rustc alone.
    const usable = (build: string) =>
      build === "wat"
        ? true
        : build === "cpp-command"
          ? cxxOk
          : build === "rust-command"
            ? rustcOk && clangOk
            : build === "rust-command-plain"
              ? rustcOk
              : clangOk;
    const expected = MANIFEST.fixtures.map((f) => [f.name, usable(f.build) ? "unchanged" : "skipped"]);
    expect(r.fixtures.map((f) => [f.name, f.status])).toEqual(expected);
  });

  test("the Rust and C++ fixtures rebuild byte-identical from another folder and through npx (when their toolchains are present)", async () => {
    const names = ["hello_rust", "rust_args_env_stdin", "rust_args_env_stdin_plain", "hello_cpp_cli", "cpp_iostream"];
    // A copy of the sources elsewhere, built from an unrelated cwd with node_modules/.bin (binaryen's wasm-opt) first on PATH.
    const copy = join(tempDir("seam-build-elsewhere"), "some", "checkout");
    mkdirSync(join(copy, "src"), { recursive: true });
    for (const sub of ["c", "rust", "cpp"]) mkdirSync(join(copy, "src", sub));
    for (const name of names)
      for (const src of fixture(name).sources) copyFileSync(join(MANIFEST.dir, src), join(copy, src));
    const text = readFileSync(DEFAULT_MANIFEST, "utf8");
    writeFileSync(
      join(copy, "manifest.yaml"),
      text.slice(0, text.indexOf("  - name:")) + names.map(entryText).join(""),
    );
    for (const name of names) copyFileSync(fixture(name).file, join(copy, fixture(name).relFile));
    const p = await runScript(
      "fixtures.ts",
      ["build", "--check", "--json", "--manifest", join(copy, "manifest.yaml")],
      {
        cwd: tempDir("seam-build-cwd"),
        env: { PATH: [join(ROOT, "node_modules", ".bin"), process.env.PATH].join(delimiter) },
      },
    );
    const r = JSON.parse(p.stdout) as {
      fixtures: { name: string; status: string }[];
      tools: { clang: { path: string; version: string } | null; rustc: { version: string } | null };
    };
    const clangOk = r.tools.clang?.version === PINNED_CLANG;
    const rustcOk = r.tools.rustc?.version === PINNED_RUSTC;
    const cxxOk = clangOk && (await libcxxMissing(r.tools.clang!.path)) === undefined;
    const usable = (n: string) => (n.includes("cpp") ? cxxOk : n.endsWith("_plain") ? rustcOk : rustcOk && clangOk);
    expect(r.fixtures.map((f) => [f.name, f.status])).toEqual(
      names.map((n) => [n, usable(n) ? "unchanged" : "skipped"]),
    );
    expect(p.code).toBe(0);
  });

  test("the plain Rust build's cabi_realloc export is wasm-ld's constructor wrapper; seam_start's builds export it bare", async () => {
    const jco = requireTool("jco").path;
    const exported = async (name: string) => {
      const p = await runProcess([jco, "print", fixture(name).file], { timeoutMs: 60_000 });
      return p.stdout.match(/\(export "cabi_realloc" \(func \$([^\s)]+)\)\)/)?.[1];
    };
    expect(await exported("rust_args_env_stdin_plain")).toBe("cabi_realloc.command_export");
    expect(await exported("rust_args_env_stdin")).toBe("cabi_realloc");
    expect(await exported("cpp_iostream")).toBe("cabi_realloc");
  });

  test("building in two different folders gives the same bytes (no paths or times leak in)", async () => {
    const clang = (await findClang()).clang;
    const f = clang ? fixture("args_env") : fixture("strings_across");
    const jco = requireTool("jco").path;
    const [a, b] = [tempDir("seam-build-a"), join(tempDir("seam-build-b"), "deeper", "still")];
    mkdirSync(b, { recursive: true });
    const outs = await mapLimit([a, b], 2, (dir) => buildOne(f, MANIFEST.dir, dir, { jco, clang: clang?.path }));
    expect(sha256File(outs[0]!)).toBe(sha256File(outs[1]!));
    expect(sha256File(outs[0]!)).toBe(f.sha256);
  });

  test("build writes a changed binary and its new hash into the manifest, and nothing else", async () => {
    const dir = tempDir("seam-build-write");
    const f = fixture("compute_composed");
    mkdirSync(join(dir, "src", "wat"), { recursive: true });
    copyFileSync(f.sourcePaths[0]!, join(dir, f.sources[0]!));
    writeFileSync(join(dir, f.relFile), "stale");
    const text = readFileSync(DEFAULT_MANIFEST, "utf8");
    const only = text.slice(0, text.indexOf("  - name:")) + entryText("compute_composed");
    writeFileSync(join(dir, "manifest.yaml"), only.replace(f.sha256, "pending"));
    const r = await buildFixtures({ manifestPath: join(dir, "manifest.yaml") });
    expect(r.fixtures.map((x) => [x.name, x.status])).toEqual([["compute_composed", "updated"]]);
    expect(r.manifestUpdated).toBe(true);
    expect(readFileSync(join(dir, "manifest.yaml"), "utf8")).toBe(only);
    expect(sha256File(join(dir, f.relFile))).toBe(f.sha256);
  });

  test("a build that fails on one fixture writes nothing at all", async () => {
    const dir = tempDir("seam-build-fail");
    const f = fixture("compute_composed");
    mkdirSync(join(dir, "src", "wat"), { recursive: true });
    copyFileSync(f.sourcePaths[0]!, join(dir, f.sources[0]!));
    writeFileSync(join(dir, "src", "wat", "broken.wat"), "(component (not-a-form))");
    writeFileSync(join(dir, f.relFile), "stale");
    const good = entryText("compute_composed");
    const broken = good.replaceAll("compute_composed", "broken");
    const manifest = `schema: seam.fixtures/1\nfixtures:\n${good.replace(f.sha256, "pending")}${broken}`;
    writeFileSync(join(dir, "manifest.yaml"), manifest);
    await expect(buildFixtures({ manifestPath: join(dir, "manifest.yaml") })).rejects.toThrow(
      /jco parse src\/wat\/broken\.wat failed: /,
    );
    expect(readFileSync(join(dir, f.relFile), "utf8")).toBe("stale");
    expect(readFileSync(join(dir, "manifest.yaml"), "utf8")).toBe(manifest);
  });
});

describe("CLI", () => {
  test("verify checks the manifest and hashes, exit 0", async () => {
    const p = await runScript("fixtures.ts", ["verify"]);
    expect(p.code).toBe(0);
    expect(p.stdout).toBe(`manifest: ${NAMES.length} fixtures, every field and hash checked\n`);
  });

  test("--help prints usage and exit codes; an unknown command is a usage error", async () => {
    const help = await runScript("fixtures.ts", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: bun scripts/fixtures.ts build");
    expect(help.stdout).toContain("Exit: 0 ok;");
    const bad = await runScript("fixtures.ts", ["rebuild"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toStartWith("fixtures: error: unknown command: rebuild\n");
  });

  test("a broken manifest stops verify with one line and exit 2", async () => {
    const dir = tempDir("seam-cli-manifest");
    const path = join(dir, "manifest.yaml");
    writeFileSync(path, "schema: seam.fixtures/1\nfixtures:\n  - name: x\n    kind: nope\n");
    const p = await runScript("fixtures.ts", ["verify", "--manifest", path]);
    expect(p.code).toBe(2);
    expect(p.stdout).toBe("");
    expect(p.stderr.split("\n")[0]).toBe(
      `fixtures: error: ${path}:4:11: fixture x: kind: unknown value "nope" (expected one of: command, invoke)`,
    );
  });
});

/**
 * The reference-engine checks: every fixture on jco (or the engine its manifest entry names), and every
 * fixture fused by real meld in multi and shared memory against what the manifest records. Run once,
 * two at a time, then asserted per fixture so a failure names it.
 */
describe("on the reference engine, original and fused by real meld", () => {
  let rows: CheckRow[] = [];
  beforeAll(async () => {
    rows = (await verifyFixtures({ fused: true, jobs: 2 })).rows;
  });
  const rowOf = (name: string, target: string) => rows.find((r) => r.fixture === name && r.target === target);

  for (const name of NAMES) {
    test(`${name} meets its expectation (original)`, () => {
      const r = rowOf(name, "original");
      expect({ status: r?.status, why: r?.why }).toMatchObject({ status: "ok" });
    });
    for (const mode of ["multi", "shared"] as const) {
      test(`${name} fused (${mode}): meld's outcome is the one the manifest records`, () => {
        const r = rowOf(name, `fused ${mode}`);
        expect({ status: r?.status, why: r?.why }).toMatchObject({ status: "ok" });
        const exp = fixture(name).meld[mode];
        expect(r?.meld?.verdict).toBe(exp.outcome === "refused" ? "refused" : "fused");
      });
    }
  }
});

test("the C build never sees binaryen's wasm-opt, however it is started (npx puts node_modules/.bin first)", () => {
  const withBin = [join(ROOT, "node_modules", ".bin"), "/usr/bin", "/bin"].join(delimiter);
  expect(existsSync(join(ROOT, "node_modules", ".bin", "wasm-opt"))).toBe(true);
  expect(pathWithoutWasmOpt(withBin)).toBe(["/usr/bin", "/bin"].join(delimiter));
});
