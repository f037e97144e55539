/**
 * recipes — how each fixture build recipe (fixtures/manifest.yaml's `build`) turns sources into a
 * component: clang for C (with seam_start.c, or wasi-libc's crt1 for the plain one), clang++ and libc++
 * for C++, Debian's rustc for Rust, `jco new --wasi-command` to adapt the core module, `jco parse` for
 * WAT, a composition template for c-compose, and a prebuilt binary copied as it is. Every flag is chosen
 * so the output depends only on the sources and the toolchain (no paths, no times, no wasm-opt).
 * Used by lib/fixture-build.ts and the tests.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { composeWat } from "./compose-wat.ts";
import { EXIT, SeamError } from "./errors.ts";
import type { Fixture } from "./manifest.ts";
import { runProcess } from "./proc.ts";
import { pathWithoutWasmOpt, type RustcInfo } from "./toolchains.ts";

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

/** The tools a build runs: jco always, clang and rustc when found. */
export interface RecipeTools {
  jco: string;
  clang?: string;
  rustc?: RustcInfo;
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

/** Adapts a wasi:cli core module into a component with jco's preview1 command adapter. */
async function adapt(jco: string, core: string, out: string, dir: string, name: string): Promise<void> {
  await must([jco, "new", core, "--wasi-command", "-o", out], dir, `jco new ${name}`);
}

/** A Rust command: rustc links it, with seam_start.c as its entry point unless it is the plain one. */
async function buildRust(f: Fixture, dir: string, outDir: string, tools: RecipeTools, out: string): Promise<void> {
  if (!tools.rustc) throw new SeamError(`rustc is needed to build ${f.name}`, { exitCode: EXIT.missingTool });
  const core = join(outDir, `${f.name}.core.wasm`);
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
  await adapt(tools.jco, core, out, dir, f.name);
}

/** A C++ command: clang++ with libc++, seam_start.c as its entry point. */
async function buildCpp(f: Fixture, dir: string, outDir: string, clang: string, jco: string, out: string) {
  const core = join(outDir, `${f.name}.core.wasm`);
  const start = await compileC(f, dir, outDir, clang);
  const cxxSources = f.sources.filter((s) => s.endsWith(".cpp"));
  await must(
    [clang, ...CXX_FLAGS, `-ffile-prefix-map=${dir}=.`, ...SEAM_START_FLAGS, "-o", core, ...cxxSources, ...start],
    dir,
    `clang++ ${f.name}`,
  );
  await adapt(jco, core, out, dir, f.name);
}

/**
 * A c-compose fixture: the C consumer imports a WIT interface, so its core module is typed with the WIT,
 * adapted, printed, and nested in the composition template next to the provider component.
 */
async function composeC(f: Fixture, dir: string, outDir: string, core: string, jco: string, out: string) {
  const source = (ext: string) =>
    readFileSync(
      join(
        dir,
        f.sources.find((s) => s.endsWith(ext))!,
      ),
      "utf8",
    );
  const wit = source(".wit");
  const template = source(".wat");
  // `jco embed --wit PATH` cannot open the path in jco 1.35 (its wasm-tools panics with NotFound);
  // the API takes the WIT text instead.
  const { componentEmbed } = await import("@bytecodealliance/jco");
  const embedded = join(outDir, `${f.name}.embedded.wasm`);
  writeFileSync(embedded, await componentEmbed({ binary: readFileSync(core), witSource: wit }));
  const consumer = join(outDir, `${f.name}.consumer.wasm`);
  await adapt(jco, embedded, consumer, dir, f.name);
  const printed = join(outDir, `${f.name}.consumer.wat`);
  await must([jco, "print", consumer, "-o", printed], dir, `jco print ${f.name}`);
  const composed = join(outDir, `${f.name}.composed.wat`);
  writeFileSync(composed, composeWat(template, readFileSync(printed, "utf8")));
  await must([jco, "parse", composed, "-o", out], dir, `jco parse ${f.name} (composed)`);
}

/** Builds one fixture into `outDir`; returns the path of the component. Sources are passed relative to
 * the manifest's folder and clang runs there, so no absolute path reaches the output. */
export async function buildOne(f: Fixture, dir: string, outDir: string, tools: RecipeTools): Promise<string> {
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
  if (f.build === "rust-command" || f.build === "rust-command-plain") {
    await buildRust(f, dir, outDir, tools, out);
    return out;
  }
  if (!tools.clang) throw new SeamError(`clang is needed to build ${f.name}`, { exitCode: EXIT.missingTool });
  if (f.build === "cpp-command") {
    await buildCpp(f, dir, outDir, tools.clang, tools.jco, out);
    return out;
  }
  const core = join(outDir, `${f.name}.core.wasm`);
  const startFlags = f.build === "c-command-plain" ? [] : SEAM_START_FLAGS;
  const cSources = f.sources.filter((s) => s.endsWith(".c"));
  await must(
    [tools.clang, ...C_FLAGS, `-ffile-prefix-map=${dir}=.`, ...startFlags, "-o", core, ...cSources],
    dir,
    `clang ${f.name}`,
  );
  if (f.build === "c-compose") await composeC(f, dir, outDir, core, tools.jco, out);
  else await adapt(tools.jco, core, out, dir, f.name);
  return out;
}
