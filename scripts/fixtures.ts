#!/usr/bin/env bun
/**
 * fixtures — builds seam's fixture corpus (fixtures/*.wasm from fixtures/src/) and verifies it: committed
 * binaries against the manifest's hashes, every fixture against its expectation on a reference engine,
 * and what real meld does with each one in multi and shared memory against what the manifest records.
 * Called by: scripts/all.ts (its `fixtures` step calls buildFixtures), CI, people adding a fixture.
 * Usage: bun scripts/fixtures.ts build [--check] [--fixture NAME]... [--manifest FILE] [--json]
 *        bun scripts/fixtures.ts verify [--run] [--fused] [--engine jco|wasmtime] [--fixture NAME]...
 *          [--jobs N] [--manifest FILE] [--json]
 * Exit: 0 ok; 1 a rebuild differs (--check) or a fixture does not do what the manifest says;
 *       2 usage error or bad manifest; 3 a required tool (jco, the engine, meld) is missing
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, delimiter, join, resolve } from "node:path";
import { color, enumValue, noDuplicates, parseCli, positiveInt, progress, runCli } from "./lib/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/errors.ts";
import { atomicWrite, makeTempDir, removeTemp, requireFile, sha256 } from "./lib/fsx.ts";
import { judgeRun, type Judgement } from "./lib/judge.ts";
import { DEFAULT_MANIFEST, loadManifest, selectFixtures, updateManifestHashes, type Fixture } from "./lib/manifest.ts";
import { mapLimit } from "./lib/pool.ts";
import { runProcess } from "./lib/proc.ts";
import { MEMORY_MODES, type Engine, type MemoryMode, type RunRecord } from "./lib/records.ts";
import { explicitChoiceHint, requireCheckedTool, toolVersion } from "./lib/tools.ts";
import { fuse } from "./fuse.ts";
import { runComponent } from "./run-kiln.ts";
import { FUSE_FLAGS } from "./lib/records.ts";

/** The clang the committed C and C++ fixtures were built with (Debian's clang 14, with libc++ 14 from
 * the same LLVM release for C++); another version gives other bytes. */
export const PINNED_CLANG = "14.0.6";
/** The rustc the committed Rust fixtures were built with (Debian's rustc + libstd-rust-dev-wasm32). */
export const PINNED_RUSTC = "1.63.0";
/** Debian's rustc, by explicit path: a rustup toolchain earlier on PATH usually has no wasm32-wasi. */
export const DEBIAN_RUSTC = "/usr/bin/rustc";

/** Optimised, no debug info (wasi-libc's own DWARF is stripped at link): with -ffile-prefix-map and
 * relative source paths the output depends only on the sources and the toolchain. */
const C_COMPILE_FLAGS = ["--target=wasm32-wasi", "-O2", "-g0", "-Wall"];
const C_FLAGS = [...C_COMPILE_FLAGS, "-Wl,--strip-debug"];
/** clang++ (the g++ driver mode links libc++ and libc++abi); wasm32-wasi has no C++ exceptions. */
const CXX_FLAGS = [
  "--driver-mode=g++",
  "--target=wasm32-wasi",
  "-std=c++17",
  "-O2",
  "-g0",
  "-Wall",
  "-fno-exceptions",
  "-Wl,--strip-debug",
];
/** seam_start.c provides _start and cabi_realloc (see its header for why). */
const SEAM_START_FLAGS = ["-nostartfiles", "-Wl,--no-entry"];
/** seam_start.c's _start calls rustc 1.63's entry, as wasi-libc's crt1 does (see its header). */
const RUST_START_DEFINES = ["-DSEAM_MAIN=__original_main"];
/** Optimised, one codegen unit, std's DWARF stripped at link (--remap-path-prefix covers our own paths). */
const RUST_FLAGS = [
  "--target",
  "wasm32-wasi",
  "--edition",
  "2021",
  "--crate-type",
  "bin",
  "-C",
  "opt-level=2",
  "-C",
  "codegen-units=1",
  "-C",
  "strip=debuginfo",
];

export interface ClangInfo {
  path: string;
  version: string;
}

/** Finds a clang that can link wasm32-wasi commands: $CLANG, else clang on PATH, with wasi-libc and the wasm32 builtins. */
export async function findClang(
  env: Record<string, string | undefined> = process.env,
): Promise<{ clang?: ClangInfo; why?: string }> {
  const candidates = env.CLANG
    ? [env.CLANG]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .flatMap((d) => [join(d, "clang"), join(d, `clang-${PINNED_CLANG.split(".")[0]}`)]);
  const path = candidates.find((p) => existsSync(p));
  if (!path) return { why: env.CLANG ? `CLANG=${env.CLANG} does not exist` : "clang not found on PATH" };
  const v = await runProcess([path, "--version"], { timeoutMs: 20_000 });
  const version = v.stdout.match(/clang version (\d+\.\d+\.\d+)/)?.[1];
  if (v.code !== 0 || !version)
    return {
      why: `${env.CLANG ? `CLANG=${env.CLANG} does not answer like clang:` : path} --version did not name a clang version`,
    };
  for (const probe of ["-print-file-name=crt1-command.o", "-print-libgcc-file-name"]) {
    const p = await runProcess([path, "--target=wasm32-wasi", probe], { timeoutMs: 20_000 });
    const file = p.stdout.trim();
    if (p.code !== 0 || !file.startsWith("/") || !existsSync(file)) {
      return {
        why: `${path} cannot link wasm32-wasi (${probe.includes("crt1") ? "wasi-libc" : "libclang-rt-14-dev-wasm32"} missing)`,
      };
    }
  }
  return { clang: { path, version } };
}

export interface RustcInfo {
  path: string;
  version: string;
  /** rustc's own wasm32-wasi wasi-libc (libc.a, crt1-command.o), the -L for a link without its crt1. */
  selfContained: string;
}

/**
 * Finds a rustc that can link wasm32-wasi commands: $RUSTC, else Debian's /usr/bin/rustc (never PATH),
 * with its wasm32-wasi std (libstd-rust-dev-wasm32) and rust-lld (Debian: a link to lld-14).
 */
export async function findRustc(
  env: Record<string, string | undefined> = process.env,
): Promise<{ rustc?: RustcInfo; why?: string }> {
  const path = env.RUSTC || DEBIAN_RUSTC;
  if (!existsSync(path))
    return {
      why: env.RUSTC ? `RUSTC=${env.RUSTC} does not exist` : `rustc not found at ${DEBIAN_RUSTC} (Debian's rustc)`,
    };
  const v = await runProcess([path, "-vV"], { timeoutMs: 20_000 });
  const version = v.stdout.match(/^rustc (\d+\.\d+\.\d+)/)?.[1];
  const host = v.stdout.match(/^host: (\S+)$/m)?.[1];
  if (v.code !== 0 || !version || !host)
    return {
      why: `${env.RUSTC ? `RUSTC=${env.RUSTC} does not answer like rustc:` : path} -vV did not name a rustc version`,
    };
  const lib = await runProcess([path, "--target", "wasm32-wasi", "--print", "target-libdir"], { timeoutMs: 20_000 });
  const libdir = lib.stdout.trim();
  if (
    lib.code !== 0 ||
    !libdir.startsWith("/") ||
    !existsSync(libdir) ||
    !readdirSync(libdir).some((n) => /^libstd-.*\.rlib$/.test(n))
  ) {
    return { why: `${path} ${version} cannot build wasm32-wasi (libstd-rust-dev-wasm32 missing)` };
  }
  const selfContained = join(libdir, "self-contained");
  if (!existsSync(join(selfContained, "libc.a")))
    return { why: `${path} has no wasm32-wasi libc in ${selfContained} (libstd-rust-dev-wasm32 incomplete)` };
  const sysroot = (await runProcess([path, "--print", "sysroot"], { timeoutMs: 20_000 })).stdout.trim();
  const lldDirs = [
    join(sysroot, "lib", "rustlib", host, "bin"),
    ...pathWithoutWasmOpt(env.PATH).split(delimiter).filter(Boolean),
  ];
  if (!lldDirs.some((d) => existsSync(join(d, "rust-lld"))))
    return { why: `rust-lld not found for ${path} (Debian's rustc links wasm32 with it; it needs lld-14)` };
  return { rustc: { path, version, selfContained } };
}

/**
 * CLANG and RUSTC, when set, must name a clang and a rustc: one that is not there, or a program that does
 * not answer like one, is an error (exit 3), never "toolchain missing, fixtures skipped". A real one that
 * lacks a wasm32 package stays a skip with its notice.
 */
export async function checkToolchainVars(env: Record<string, string | undefined> = process.env): Promise<void> {
  const wrong = (why: string | undefined) =>
    why !== undefined && (why.includes("does not exist") || why.includes("does not answer like"));
  if (env.CLANG) {
    const f = await findClang(env);
    if (!f.clang && wrong(f.why))
      throw new SeamError(f.why!, { hint: explicitChoiceHint("CLANG", "clang"), exitCode: EXIT.missingTool });
  }
  if (env.RUSTC) {
    const f = await findRustc(env);
    if (!f.rustc && wrong(f.why))
      throw new SeamError(f.why!, { hint: explicitChoiceHint("RUSTC", "rustc"), exitCode: EXIT.missingTool });
  }
}

/** Whether clang can link C++ for wasm32-wasi: undefined when it can, else why not. */
export async function libcxxMissing(clang: string): Promise<string | undefined> {
  for (const [lib, pkg] of [
    ["libc++.a", "libc++-14-dev-wasm32"],
    ["libc++abi.a", "libc++abi-14-dev-wasm32"],
  ] as const) {
    const p = await runProcess([clang, "--target=wasm32-wasi", `-print-file-name=${lib}`], { timeoutMs: 20_000 });
    const file = p.stdout.trim();
    if (p.code !== 0 || !file.startsWith("/") || !existsSync(file))
      return `${clang} cannot link C++ for wasm32-wasi (${pkg} missing)`;
  }
  return undefined;
}

/** The source language of a build recipe, as the skip notices name it (null: needs no native toolchain). */
export function recipeLanguage(build: Fixture["build"]): "C" | "C++" | "Rust" | null {
  if (build === "wat" || build === "prebuilt") return null;
  if (build === "cpp-command") return "C++";
  return build.startsWith("rust-") ? "Rust" : "C";
}

type Toolchain = "clang" | "libc++" | "rustc";
/** What each recipe needs, in the order a missing piece is reported (a rust-command's entry point is C). */
const NEEDS: Record<Fixture["build"], readonly Toolchain[]> = {
  "c-command": ["clang"],
  "c-command-plain": ["clang"],
  "c-compose": ["clang"],
  "cpp-command": ["clang", "libc++"],
  "rust-command": ["rustc", "clang"],
  "rust-command-plain": ["rustc"],
  wat: [],
  prebuilt: [],
};

export interface Toolchains {
  clang?: ClangInfo;
  rustc?: RustcInfo;
  /** Why each toolchain cannot be used for this build (absent: usable). */
  unusable: Partial<Record<Toolchain, string>>;
}

/** Looks up every native toolchain the selected fixtures need; with `check`, a version other than the
 * pinned one makes the toolchain unusable (its bytes would differ from the committed ones). */
export async function findToolchains(
  fixtures: Fixture[],
  env: Record<string, string | undefined>,
  check: boolean,
): Promise<Toolchains> {
  const needed = new Set(fixtures.flatMap((f) => NEEDS[f.build]));
  const t: Toolchains = { unusable: {} };
  if (needed.has("clang")) {
    const found = await findClang(env);
    t.clang = found.clang;
    if (!found.clang) t.unusable.clang = found.why;
    else if (check && found.clang.version !== PINNED_CLANG)
      t.unusable.clang = `clang ${found.clang.version} is not the pinned ${PINNED_CLANG}`;
    if (found.clang && needed.has("libc++")) {
      const why = await libcxxMissing(found.clang.path);
      if (why) t.unusable["libc++"] = why;
    }
  }
  if (needed.has("rustc")) {
    const found = await findRustc(env);
    t.rustc = found.rustc;
    if (!found.rustc) t.unusable.rustc = found.why;
    else if (check && found.rustc.version !== PINNED_RUSTC)
      t.unusable.rustc = `rustc ${found.rustc.version} is not the pinned ${PINNED_RUSTC}`;
  }
  return t;
}

/** Why a fixture cannot be built with these toolchains (undefined: it can). */
export function buildBlocker(f: Fixture, t: Toolchains): string | undefined {
  for (const need of NEEDS[f.build]) if (t.unusable[need]) return t.unusable[need];
  return undefined;
}

/** One notice per reason, naming the languages it stops, keyed by the reason: "clang not found on PATH"
 * → "clang not found on PATH; C fixtures not rebuilt, committed binaries kept". */
export function skipNotices(skipped: { f: Fixture; why: string }[]): Map<string, string> {
  const byWhy = new Map<string, Set<string>>();
  for (const { f, why } of skipped) byWhy.set(why, (byWhy.get(why) ?? new Set()).add(recipeLanguage(f.build)!));
  return new Map(
    [...byWhy].map(([why, langs]) => {
      const order = ["C", "C++", "Rust"].filter((l) => langs.has(l));
      const names = order.length > 1 ? `${order.slice(0, -1).join(", ")} and ${order[order.length - 1]}` : order[0];
      const pin = /^(\S+) \S+ is not the pinned /.exec(why);
      return [
        why,
        pin
          ? `${why}; ${names} fixtures not compared (their bytes depend on the ${pin[1]} version)`
          : `${why}; ${names} fixtures not rebuilt, committed binaries kept`,
      ];
    }),
  );
}

/**
 * PATH for clang without any folder holding binaryen's wasm-opt: clang's wasm32 driver runs wasm-opt
 * after linking whenever it finds one on PATH, and `npx`/`npm run` put node_modules/.bin (where jco's
 * binaryen lives) first — the same sources then gave other bytes depending on how the build was started.
 */
export function pathWithoutWasmOpt(path: string | undefined): string {
  return (path ?? "")
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, "wasm-opt")))
    .join(delimiter);
}

async function must(argv: string[], cwd: string, what: string): Promise<void> {
  const p = await runProcess(argv, {
    cwd,
    timeoutMs: 120_000,
    env: { ...process.env, PATH: pathWithoutWasmOpt(process.env.PATH) },
  });
  if (p.code !== 0) {
    const line = (p.stderr || p.stdout).split("\n").find((l) => l.trim()) ?? `exit ${p.code}`;
    throw new SeamError(`${what} failed: ${line.trim()}`, { hint: argv.join(" "), exitCode: EXIT.fail });
  }
}

/** Compiles a fixture's .c sources (the seam_start.c entry point of a Rust or C++ command) to objects
 * in `outDir`, for the Rust or C++ link; returns their paths. */
async function compileC(
  f: Fixture,
  dir: string,
  outDir: string,
  clang: string | undefined,
  defines: string[] = [],
): Promise<string[]> {
  if (!clang)
    throw new SeamError(`clang is needed to build ${f.name} (its entry point is C)`, { exitCode: EXIT.missingTool });
  const objects: string[] = [];
  for (const src of f.sources.filter((s) => s.endsWith(".c"))) {
    const obj = join(outDir, `${f.name}.${basename(src, ".c")}.o`);
    await must(
      [clang, ...C_COMPILE_FLAGS, ...defines, `-ffile-prefix-map=${dir}=.`, "-c", src, "-o", obj],
      dir,
      `clang ${src}`,
    );
    objects.push(obj);
  }
  return objects;
}

/** A top-level form of printed component text: its first line's index and the lines it spans. */
function topLevelForms(lines: string[], from: number, to: number): { start: number; end: number; head: string }[] {
  const forms: { start: number; end: number; head: string }[] = [];
  for (let i = from; i < to; i++) {
    if (/^  \(/.test(lines[i]!)) forms.push({ start: i, end: i + 1, head: lines[i]!.trim() });
    else if (forms.length && /^  ( |\))/.test(lines[i]!)) forms[forms.length - 1]!.end = i + 1;
  }
  return forms;
}

/**
 * Fills a composition template with a component printed by `jco print` (wasm-tools' text form): the
 * template's `;; seam:` lines become the consumer's import declarations (so the outer component imports
 * what the consumer needs from the host, minus the imports the template plugs itself), the consumer as
 * a nested component, its `with` arguments, and its exports re-exported. Pure; throws on a shape it
 * does not know, so a jco upgrade that changes the printed form fails the build loudly.
 */
export function composeWat(template: string, consumerWat: string): string {
  const lines = consumerWat.replace(/\n$/, "").split("\n");
  if (!/^\(component( \$\S+)?$/.test(lines[0]!) || lines[lines.length - 1] !== ")") {
    throw new SeamError("compose: the consumer is not a printed component (expected `(component` … `)`)", {
      exitCode: EXIT.fail,
    });
  }
  const firstCore = lines.findIndex((l) => /^  \(core (module|instance|func)/.test(l));
  if (firstCore < 0) throw new SeamError("compose: the consumer has no core module", { exitCode: EXIT.fail });
  const prelude = topLevelForms(lines, 1, firstCore);
  const odd = prelude.find((f) => !/^\((type|import|alias) /.test(f.head));
  if (odd)
    throw new SeamError(`compose: unexpected form before the consumer's first core module: ${odd.head}`, {
      exitCode: EXIT.fail,
    });
  const imports = prelude.flatMap((f) => {
    const m = /^\(import "([^"]+)" \(instance (\$(?:"[^"]+"|\S+))/.exec(f.head);
    if (!m && f.head.startsWith("(import "))
      throw new SeamError(`compose: only instance imports are supported: ${f.head}`, { exitCode: EXIT.fail });
    return m ? [{ name: m[1]!, id: m[2]!, form: f }] : [];
  });
  const exports = topLevelForms(lines, firstCore, lines.length - 1).flatMap((f) => {
    const m = /^\(export (?:\$\S+ )?(?:\(;\d+;\) )?"([^"]+)" \(instance /.exec(f.head);
    return m ? [m[1]!] : [];
  });

  const plugged = new Set<string>();
  const filled: string[] = [];
  for (const line of template.split("\n")) {
    const marker = /^(\s*);; seam:([a-z-]+)(.*)$/.exec(line);
    if (!marker) {
      filled.push(line);
      continue;
    }
    const [, indent, what, rest] = marker as unknown as [string, string, string, string];
    if (what === "consumer-imports") {
      for (const m of rest.matchAll(/plugged="([^"]+)"/g)) plugged.add(m[1]!);
      for (const name of plugged)
        if (!imports.some((i) => i.name === name))
          throw new SeamError(`compose: the consumer does not import ${name}`, { exitCode: EXIT.fail });
      const skip = new Set(imports.filter((i) => plugged.has(i.name)).map((i) => i.form.start));
      for (const f of prelude) if (!skip.has(f.start)) filled.push(...lines.slice(f.start, f.end));
    } else if (what === "consumer-component") {
      filled.push(`${indent}(component ${rest.trim()}`, ...lines.slice(1));
    } else if (what === "consumer-import-args") {
      for (const i of imports) if (!plugged.has(i.name)) filled.push(`${indent}(with "${i.name}" (instance ${i.id}))`);
    } else if (what === "consumer-exports") {
      for (const name of exports) filled.push(`${indent}(export "${name}" (instance ${rest.trim()} "${name}"))`);
    } else {
      throw new SeamError(`compose: unknown template line ;; seam:${what}`, { exitCode: EXIT.fail });
    }
  }
  return filled.join("\n");
}

/** Builds one fixture into `outDir`; returns the path of the component. Sources are passed relative to
 * the manifest's folder and clang runs there, so no absolute path reaches the output. */
export async function buildOne(
  f: Fixture,
  dir: string,
  outDir: string,
  tools: { jco: string; clang?: string; rustc?: RustcInfo },
): Promise<string> {
  const out = join(outDir, `${f.name}.wasm`);
  if (f.build === "prebuilt") {
    // Its source is the committed binary (a component kept from an ad hoc tier-c run): kept as it is.
    copyFileSync(join(dir, f.sources[0]!), out);
    return out;
  }
  if (f.build === "wat") {
    await must([tools.jco, "parse", f.sources[0]!, "-o", out], dir, `jco parse ${f.sources[0]}`);
    return out;
  }
  const core = join(outDir, `${f.name}.core.wasm`);
  if (f.build === "rust-command" || f.build === "rust-command-plain") {
    if (!tools.rustc) throw new SeamError(`rustc is needed to build ${f.name}`, { exitCode: EXIT.missingTool });
    const rustc = [tools.rustc.path, ...RUST_FLAGS, "--crate-name", f.name, `--remap-path-prefix=${dir}=.`];
    if (f.build === "rust-command") {
      // rustc's own link takes wasi-libc's crt1, whose _start leaves the constructors to wasm-ld's export
      // wrappers; link seam_start.c instead (as a C command does) and rustc's wasi-libc from its folder.
      const start = await compileC(f, dir, outDir, tools.clang, RUST_START_DEFINES);
      rustc.push(
        "-C",
        "link-self-contained=no",
        "-L",
        `native=${tools.rustc.selfContained}`,
        "-C",
        "link-arg=--no-entry",
        ...start.flatMap((o) => ["-C", `link-arg=${o}`]),
      );
    }
    await must([...rustc, "-o", core, f.sources[0]!], dir, `rustc ${f.name}`);
    await must([tools.jco, "new", core, "--wasi-command", "-o", out], dir, `jco new ${f.name}`);
    return out;
  }
  if (!tools.clang) throw new SeamError(`clang is needed to build ${f.name}`, { exitCode: EXIT.missingTool });
  if (f.build === "cpp-command") {
    const start = await compileC(f, dir, outDir, tools.clang);
    const cxxSources = f.sources.filter((s) => s.endsWith(".cpp"));
    await must(
      [
        tools.clang,
        ...CXX_FLAGS,
        `-ffile-prefix-map=${dir}=.`,
        ...SEAM_START_FLAGS,
        "-o",
        core,
        ...cxxSources,
        ...start,
      ],
      dir,
      `clang++ ${f.name}`,
    );
    await must([tools.jco, "new", core, "--wasi-command", "-o", out], dir, `jco new ${f.name}`);
    return out;
  }
  const startFlags = f.build === "c-command-plain" ? [] : SEAM_START_FLAGS;
  const cSources = f.sources.filter((s) => s.endsWith(".c"));
  await must(
    [tools.clang, ...C_FLAGS, `-ffile-prefix-map=${dir}=.`, ...startFlags, "-o", core, ...cSources],
    dir,
    `clang ${f.name}`,
  );
  if (f.build !== "c-compose") {
    await must([tools.jco, "new", core, "--wasi-command", "-o", out], dir, `jco new ${f.name}`);
    return out;
  }
  // The C consumer imports a WIT interface: type its core module with the WIT, adapt it, then nest it
  // in the composition template next to the provider component.
  const wit = readFileSync(
    join(
      dir,
      f.sources.find((s) => s.endsWith(".wit"))!,
    ),
    "utf8",
  );
  const template = readFileSync(
    join(
      dir,
      f.sources.find((s) => s.endsWith(".wat"))!,
    ),
    "utf8",
  );
  // `jco embed --wit PATH` cannot open the path in jco 1.35 (its wasm-tools panics with NotFound);
  // the API takes the WIT text instead.
  const { componentEmbed } = await import("@bytecodealliance/jco");
  const embedded = join(outDir, `${f.name}.embedded.wasm`);
  writeFileSync(embedded, await componentEmbed({ binary: readFileSync(core), witSource: wit }));
  const consumer = join(outDir, `${f.name}.consumer.wasm`);
  await must([tools.jco, "new", embedded, "--wasi-command", "-o", consumer], dir, `jco new ${f.name}`);
  const printed = join(outDir, `${f.name}.consumer.wat`);
  await must([tools.jco, "print", consumer, "-o", printed], dir, `jco print ${f.name}`);
  const composed = join(outDir, `${f.name}.composed.wat`);
  writeFileSync(composed, composeWat(template, readFileSync(printed, "utf8")));
  await must([tools.jco, "parse", composed, "-o", out], dir, `jco parse ${f.name} (composed)`);
  return out;
}

export type BuildStatus = "unchanged" | "updated" | "differs" | "skipped";

export interface BuiltFixture {
  name: string;
  status: BuildStatus;
  /** sha256 of what this build produced (null when skipped). */
  sha256: string | null;
  /** sha256 the manifest records. */
  recorded: string;
  why?: string;
}

export interface BuildReport {
  schema: "seam.fixtures-build/1";
  check: boolean;
  /** The native toolchains found (null: not needed by the selected fixtures, or not found). */
  tools: { jco: { path: string; version: string }; clang: ClangInfo | null; rustc: RustcInfo | null };
  fixtures: BuiltFixture[];
  /** Lines a reader must not miss (a toolchain missing or not the pinned version), one per reason. */
  notices: string[];
  manifestUpdated: boolean;
}

export interface BuildOptions {
  manifestPath?: string;
  only?: string[];
  /** Rebuild into a temp folder and compare with the committed files; write nothing. */
  check?: boolean;
  /** Environment for the clang and rustc lookups (tests inject one); defaults to process.env. */
  env?: Record<string, string | undefined>;
  jobs?: number;
  onProgress?: (line: string) => void;
}

/**
 * Rebuilds the fixtures. Without `check` it writes every changed binary and the manifest's sha256 values
 * (atomically); with `check` it writes nothing and marks each fixture unchanged or differs. C, C++ and
 * Rust fixtures are skipped, binaries kept, when their toolchain is absent (users need none of them).
 */
export async function buildFixtures(opts: BuildOptions = {}): Promise<BuildReport> {
  const manifestPath = opts.manifestPath ?? DEFAULT_MANIFEST;
  const manifest = loadManifest(manifestPath, { checkFiles: false });
  const fixtures = selectFixtures(manifest.fixtures, opts.only);
  const jco = await requireCheckedTool("jco");
  const toolchains = await findToolchains(fixtures, opts.env ?? process.env, opts.check ?? false);
  const blocked = fixtures.flatMap((f) => {
    const why = buildBlocker(f, toolchains);
    return why ? [{ f, why }] : [];
  });
  const skipLines = skipNotices(blocked);
  const notices = [...skipLines.values()];
  const skipWhy = new Map(blocked.map(({ f, why }) => [f.name, skipLines.get(why)!]));
  const work = makeTempDir("seam-fixtures");
  try {
    // Everything is built before anything is written, so a failing build leaves the corpus as it was.
    const built = await mapLimit(
      fixtures,
      opts.jobs ?? 2,
      async (f): Promise<{ result: BuiltFixture; bytes?: Uint8Array }> => {
        const skip = skipWhy.get(f.name);
        if (skip) return { result: { name: f.name, status: "skipped", sha256: null, recorded: f.sha256, why: skip } };
        const bytes = readFileSync(
          await buildOne(f, manifest.dir, work, {
            jco: jco.path,
            clang: toolchains.clang?.path,
            rustc: toolchains.rustc,
          }),
        );
        const hash = sha256(bytes);
        const committed = existsSync(f.file) ? sha256(readFileSync(f.file)) : null;
        const status: BuildStatus =
          committed === hash && f.sha256 === hash ? "unchanged" : opts.check ? "differs" : "updated";
        const why =
          status === "differs"
            ? `rebuilt ${hash.slice(0, 12)}…, committed ${committed?.slice(0, 12) ?? "absent"}…, manifest ${f.sha256.slice(0, 12) || "none"}…`
            : undefined;
        opts.onProgress?.(`${f.name}: ${status}`);
        return {
          result: { name: f.name, status, sha256: hash, recorded: f.sha256, ...(why ? { why } : {}) },
          bytes: committed === hash ? undefined : bytes,
        };
      },
    );
    const results = built.map((b) => b.result);
    if (!opts.check)
      for (const [i, b] of built.entries())
        if (b.result.status === "updated" && b.bytes) atomicWrite(fixtures[i]!.file, b.bytes);
    const changed = Object.fromEntries(
      results.filter((r) => r.sha256 && r.sha256 !== r.recorded && !opts.check).map((r) => [r.name, r.sha256!]),
    );
    let manifestUpdated = false;
    if (Object.keys(changed).length) {
      const text = readFileSync(manifestPath, "utf8");
      const next = updateManifestHashes(text, changed);
      if (next !== text) {
        atomicWrite(manifestPath, next);
        manifestUpdated = true;
      }
    }
    return {
      schema: "seam.fixtures-build/1",
      check: opts.check ?? false,
      tools: {
        jco: { path: jco.path, version: await toolVersion(jco) },
        clang: toolchains.clang ?? null,
        rustc: toolchains.rustc ?? null,
      },
      fixtures: results,
      notices,
      manifestUpdated,
    };
  } finally {
    removeTemp(work);
  }
}

export type Target = "original" | `fused ${MemoryMode}` | `core ${MemoryMode}`;
export type CheckStatus = "ok" | "mismatch" | "skipped";

export interface CheckRow {
  fixture: string;
  target: Target;
  status: CheckStatus;
  /** One line: what happened against what the manifest records. */
  why: string;
  /** Engine that judged the file (none when meld did not produce one). */
  engine?: Engine;
  /** meld's verdict and message, for fused targets. */
  meld?: { verdict: string; message?: string; version?: string };
  ms: number;
}

export interface VerifyOptions {
  manifestPath?: string;
  only?: string[];
  /** Reference engine (default jco). */
  engine?: Exclude<Engine, "kiln">;
  /** Run the originals on the engine (default true). */
  run?: boolean;
  /** Also fuse with real meld in each mode and check the fused files. */
  fused?: boolean;
  memory?: MemoryMode[];
  jobs?: number;
  /** Where fused files go (default: a temp folder, removed afterwards). */
  workDir?: string;
  onProgress?: (line: string) => void;
}

export interface VerifyReport {
  schema: "seam.fixtures-verify/1";
  fixtures: number;
  rows: CheckRow[];
}

/** Runs a fixture's file on an engine: the command once, or each invoke call (reference-only calls
 * skipped on kiln; only the first with `firstOnly`); the judgement covers them all. */
export async function runFixture(
  f: Fixture,
  wasm: string,
  engine: Engine,
  opts: { firstOnly?: boolean } = {},
): Promise<Judgement & { runs: RunRecord[] }> {
  if (f.kind === "command") {
    const run = await runComponent({ wasm, engine, args: f.args, env: f.env, stdin: f.stdin });
    return { ...judgeRun(run, f), runs: [run] };
  }
  const runs: RunRecord[] = [];
  const whys: string[] = [];
  let ok = true;
  for (const call of opts.firstOnly ? f.invoke.slice(0, 1) : f.invoke) {
    if (engine === "kiln" && call.referenceOnly) continue;
    const run = await runComponent({ wasm, engine, invoke: call.export });
    runs.push(run);
    const j = judgeRun(run, f, call.export);
    if (!j.ok) {
      ok = false;
      whys.push(j.why);
    }
  }
  return { ok, why: ok ? `${runs.length} call(s) return what the manifest records` : whys.join("; "), runs };
}

/** Everything a failed judgement said, where a recorded misfuse message is looked for. */
function errorText(j: Judgement & { runs: RunRecord[] }): string {
  return [j.why, ...j.runs.flatMap((r) => [r.errorLine ?? "", r.stderr])].join("\n");
}

/** Fuses one fixture in one mode and compares what meld and the fused file do with the manifest's record. */
export async function checkFused(
  f: Fixture,
  mode: MemoryMode,
  engine: Exclude<Engine, "kiln">,
  workDir: string,
): Promise<CheckRow> {
  const target: Target = `fused ${mode}`;
  const exp = f.meld[mode];
  // The flags tier-c fuses with, so what the manifest records is what the seam matrix sees.
  const rec = await fuse({
    inputs: [f.file],
    output: join(workDir, `${f.name}.${mode}.wasm`),
    memory: mode,
    extraArgs: FUSE_FLAGS,
  });
  const meld = { verdict: rec.verdict, message: rec.message, version: rec.meld?.version };
  const row = (status: CheckStatus, why: string, extra: Partial<CheckRow> = {}): CheckRow => ({
    fixture: f.name,
    target,
    status,
    why,
    meld,
    ms: rec.ms,
    ...extra,
  });
  if (rec.verdict === "missing-tool") return row("skipped", `meld missing: ${rec.message}`);
  if (rec.verdict === "crashed") return row("mismatch", `meld crashed: ${rec.message}`);
  if (rec.verdict === "refused") {
    if (exp.outcome !== "refused")
      return row("mismatch", `meld refused it (manifest records ${exp.outcome}): ${rec.message}`);
    if (!rec.message?.includes(exp.message!))
      return row("mismatch", `meld refused it with other words: ${rec.message} (manifest records: ${exp.message})`);
    return row("ok", `meld refuses it, as recorded: ${exp.message}`);
  }
  const judgeWith = engine === "jco" ? (exp.reference ?? f.reference?.engine ?? engine) : engine;
  const fused = rec.output!.path;
  const j = await runFixture(f, fused, judgeWith);
  const ms = rec.ms + j.runs.reduce((a, r) => a + r.ms, 0);
  if (judgeWith !== engine && exp.reference) {
    // The manifest says jco cannot judge this fused file (it fails to load it); make sure that is still true.
    const jco = await runFixture(f, fused, engine, { firstOnly: true });
    if (jco.ok)
      return row(
        "mismatch",
        `${engine} now runs the fused file and it meets the expectation; drop \`reference: ${judgeWith}\``,
        { engine, ms },
      );
  }
  if (exp.outcome === "refused")
    return row(
      "mismatch",
      `meld now fuses it (manifest records a refusal: ${exp.message}); on ${judgeWith}: ${j.ok ? "meets the expectation" : j.why}`,
      { engine: judgeWith, ms },
    );
  if (j.ok) {
    return exp.outcome === "pass"
      ? row("ok", `fused file on ${judgeWith}: ${j.why}`, { engine: judgeWith, ms })
      : row(
          "mismatch",
          `the fused file now meets the expectation on ${judgeWith} (manifest records misfused: ${exp.message})`,
          { engine: judgeWith, ms },
        );
  }
  if (exp.outcome === "pass") return row("mismatch", `fused file on ${judgeWith}: ${j.why}`, { engine: judgeWith, ms });
  if (!errorText(j).includes(exp.message!))
    return row("mismatch", `misfused differently on ${judgeWith}: ${j.why} (manifest records: ${exp.message})`, {
      engine: judgeWith,
      ms,
    });
  return row("ok", `meld misfuses it, as recorded: ${exp.message}`, { engine: judgeWith, ms });
}

/** Fuses one fixture into a core module (meld's default output) and compares fused/refused with the record. */
export async function checkCore(f: Fixture, mode: MemoryMode, workDir: string): Promise<CheckRow> {
  const rec = await fuse({
    inputs: [f.file],
    output: join(workDir, `${f.name}.${mode}.core.wasm`),
    memory: mode,
    mode: "core",
    extraArgs: FUSE_FLAGS,
  });
  const meld = { verdict: rec.verdict, message: rec.message, version: rec.meld?.version };
  const row = (status: CheckStatus, why: string): CheckRow => ({
    fixture: f.name,
    target: `core ${mode}`,
    status,
    why,
    meld,
    ms: rec.ms,
  });
  const exp = f.meldCore?.[mode];
  if (rec.verdict === "missing-tool") return row("skipped", `meld missing: ${rec.message}`);
  if (rec.verdict === "crashed") return row("mismatch", `meld crashed: ${rec.message}`);
  if (!exp)
    return row(
      "skipped",
      `the manifest records no meld.core.${mode}: meld ${rec.verdict === "fused" ? "fuses it" : `refuses it: ${rec.message}`}`,
    );
  if (rec.verdict === "fused")
    return exp.outcome === "fused"
      ? row("ok", "meld writes a core module, as recorded")
      : row("mismatch", `meld now writes a core module (manifest records a refusal: ${exp.message})`);
  if (exp.outcome === "fused")
    return row("mismatch", `meld refused the core output (manifest records fused): ${rec.message}`);
  return rec.message?.includes(exp.message!)
    ? row("ok", `meld refuses the core output, as recorded: ${exp.message}`)
    : row("mismatch", `meld refused it with other words: ${rec.message} (manifest records: ${exp.message})`);
}

/** Checks the manifest and hashes, then (optionally) every fixture on the engine and every fused file. */
export async function verifyFixtures(opts: VerifyOptions = {}): Promise<VerifyReport> {
  const manifest = loadManifest(opts.manifestPath ?? DEFAULT_MANIFEST);
  const fixtures = selectFixtures(manifest.fixtures, opts.only);
  const engine = opts.engine ?? "jco";
  const tasks: { f: Fixture; target: Target }[] = [];
  for (const f of fixtures) {
    if (opts.run ?? true) tasks.push({ f, target: "original" });
    if (opts.fused)
      for (const m of opts.memory ?? MEMORY_MODES) tasks.push({ f, target: `fused ${m}` }, { f, target: `core ${m}` });
  }
  const work = opts.workDir ?? makeTempDir("seam-verify");
  try {
    const rows = await mapLimit(tasks, opts.jobs ?? 2, async ({ f, target }): Promise<CheckRow> => {
      let row: CheckRow;
      if (target === "original") {
        const judgeWith = engine === "jco" ? (f.reference?.engine ?? engine) : engine;
        const j = await runFixture(f, f.file, judgeWith);
        const missing = j.runs.find((r) => r.verdict === "missing-engine");
        row = {
          fixture: f.name,
          target,
          status: missing ? "skipped" : j.ok ? "ok" : "mismatch",
          why: judgeWith === engine ? j.why : `on ${judgeWith} (${f.reference!.why}): ${j.why}`,
          engine: judgeWith,
          ms: j.runs.reduce((a, r) => a + r.ms, 0),
        };
      } else {
        const [kind, mode] = target.split(" ") as ["fused" | "core", MemoryMode];
        row = kind === "core" ? await checkCore(f, mode, work) : await checkFused(f, mode, engine, work);
      }
      opts.onProgress?.(`${row.fixture} ${row.target}: ${row.status} — ${row.why}`);
      return row;
    });
    return { schema: "seam.fixtures-verify/1", fixtures: fixtures.length, rows };
  } finally {
    if (!opts.workDir) removeTemp(work);
  }
}

const HELP = `fixtures — build and verify seam's fixture corpus (fixtures/manifest.yaml)

Usage: bun scripts/fixtures.ts build [--check] [--fixture NAME]... [--manifest FILE] [--json]
       bun scripts/fixtures.ts verify [--run] [--fused] [--engine jco|wasmtime] [--fixture NAME]... [--jobs N]
         [--manifest FILE] [--json]

build            rebuild fixtures/*.wasm from fixtures/src/ (clang for C, clang++ and libc++ for C++,
                 Debian's rustc for Rust, jco for WAT and the preview1 adapter) and write new hashes
                 into the manifest; a fixture whose toolchain is missing is skipped (one line says
                 why) and its committed binary stays
                 env: CLANG=/path/to/clang (else PATH), RUSTC=/path/to/rustc (else /usr/bin/rustc)
  --check        rebuild into a temp folder and compare with the committed files; write nothing
verify           load the manifest (every field, with file:line errors) and check the committed hashes
  --run          also run every fixture on the reference engine and judge it (default engine jco)
  --fused        also fuse every fixture with real meld (multi and shared memory) and check meld's
                 outcome and the fused file against what the manifest records (implies --run)
  --engine E     reference engine: jco (default) or wasmtime
  --jobs N       engine runs in parallel (default 2)
--fixture NAME   only this fixture (repeatable)
--manifest FILE  another manifest (default fixtures/manifest.yaml); its paths are relative to its folder
--json           print the report as JSON on stdout

Exit: 0 ok; 1 a rebuild differs (--check) or a fixture does not do what the manifest says;
      2 usage error or bad manifest; 3 a required tool (jco, the engine, meld) is missing`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    check: { type: "boolean", default: false },
    run: { type: "boolean", default: false },
    fused: { type: "boolean", default: false },
    engine: { type: "string", default: "jco" },
    fixture: { type: "string", multiple: true, default: [] },
    jobs: { type: "string", default: "2" },
    manifest: { type: "string", default: DEFAULT_MANIFEST },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const [verb, ...rest] = positionals;
  if (rest.length) throw usageError(`unexpected argument: ${rest[0]}`, "run with --help");
  const jobs = positiveInt("--jobs", values.jobs);
  noDuplicates("--fixture", values.fixture);
  if (values.manifest !== DEFAULT_MANIFEST) requireFile(values.manifest, "manifest");
  const onProgress = values.json ? undefined : (line: string) => progress(color.dim(line));
  const manifestPath = resolve(values.manifest);
  if (verb === "build") {
    if (values.run || values.fused)
      throw usageError("--run and --fused belong to verify", "bun scripts/fixtures.ts verify --fused");
    if (values.engine !== "jco")
      throw usageError("--engine belongs to verify", "bun scripts/fixtures.ts verify --run --engine wasmtime");
    await checkToolchainVars();
    const report = await buildFixtures({ manifestPath, only: values.fixture, check: values.check, jobs, onProgress });
    for (const n of report.notices) progress(color.yellow(`note: ${n}`));
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    else {
      process.stdout.write(
        table(report.fixtures.map((f) => [f.name, f.status, f.sha256?.slice(0, 16) ?? "-", f.why ?? ""])),
      );
      if (report.manifestUpdated) process.stdout.write("manifest: sha256 values updated\n");
    }
    return report.fixtures.some((f) => f.status === "differs") ? EXIT.fail : EXIT.ok;
  }
  if (verb === "verify") {
    if (values.check) throw usageError("--check belongs to build", "bun scripts/fixtures.ts build --check");
    const engine = enumValue("--engine", values.engine, ["jco", "wasmtime"] as const);
    const run = values.run || values.fused;
    if (run) await requireCheckedTool(engine);
    if (values.fused) await requireCheckedTool("meld");
    const manifest = loadManifest(manifestPath);
    const report = run
      ? await verifyFixtures({ manifestPath, only: values.fixture, engine, run, fused: values.fused, jobs, onProgress })
      : {
          schema: "seam.fixtures-verify/1" as const,
          fixtures: selectFixtures(manifest.fixtures, values.fixture).length,
          rows: [],
        };
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    else {
      process.stdout.write(`manifest: ${manifest.fixtures.length} fixtures, every field and hash checked\n`);
      if (report.rows.length)
        process.stdout.write(table(report.rows.map((r) => [r.fixture, r.target, r.status, r.why])));
    }
    return report.rows.some((r) => r.status === "mismatch") ? EXIT.fail : EXIT.ok;
  }
  throw usageError(
    verb ? `unknown command: ${verb}` : "missing command",
    "bun scripts/fixtures.ts build|verify (see --help)",
  );
}

if (import.meta.main) process.exitCode = await runCli("fixtures", main);
