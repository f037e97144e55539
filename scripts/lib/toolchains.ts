/**
 * toolchains — the native toolchains that build seam's C, C++ and Rust fixtures: Debian's clang 14 (with
 * wasi-libc, the wasm32 builtins and, for C++, libc++), and Debian's rustc 1.63 with its wasm32-wasi std.
 * Finds them ($CLANG, $RUSTC, else PATH or /usr/bin/rustc), says why one cannot be used, and words the one
 * notice per reason a fixture build skips (users need none of them: the committed binaries stay).
 * Used by lib/fixture-build.ts, scripts/fixtures.ts and the tests.
 */
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { EXIT, SeamError } from "./errors.ts";
import type { BuildRecipe, Fixture } from "./manifest.ts";
import { runProcess } from "./proc.ts";
import { explicitChoiceHint } from "./tools.ts";

/** The clang the committed C and C++ fixtures were built with (Debian's clang 14, with libc++ 14 from
 * the same LLVM release for C++); another version gives other bytes. */
export const PINNED_CLANG = "14.0.6";
/** The rustc the committed Rust fixtures were built with (Debian's rustc + libstd-rust-dev-wasm32). */
export const PINNED_RUSTC = "1.63.0";
/** Debian's rustc, by explicit path: a rustup toolchain earlier on PATH usually has no wasm32-wasi. */
export const DEBIAN_RUSTC = "/usr/bin/rustc";

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
export function recipeLanguage(build: BuildRecipe): "C" | "C++" | "Rust" | null {
  if (build === "wat" || build === "prebuilt") return null;
  if (build === "cpp-command") return "C++";
  return build.startsWith("rust-") ? "Rust" : "C";
}

type Toolchain = "clang" | "libc++" | "rustc";
/** What each recipe needs, in the order a missing piece is reported (a rust-command's entry point is C). */
const NEEDS: Record<BuildRecipe, readonly Toolchain[]> = {
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
