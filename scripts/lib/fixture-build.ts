/**
 * fixture-build — rebuilds seam's fixture corpus (fixtures/*.wasm from fixtures/src/, by each fixture's
 * recipe in lib/recipes.ts) and writes the changed binaries and their hashes into the manifest, or, with
 * `check`, compares the rebuild with the committed files and writes nothing. A fixture whose toolchain
 * is missing (lib/toolchains.ts) is skipped with one notice per reason; its committed binary stays.
 * Used by scripts/fixtures.ts (`build`), scripts/all.ts (its `fixtures` step) and the tests.
 */
import { existsSync, readFileSync } from "node:fs";
import { atomicWrite, makeTempDir, removeTemp, sha256 } from "./fsx.ts";
import { DEFAULT_MANIFEST, loadManifest, selectFixtures, updateManifestHashes, type Fixture } from "./manifest.ts";
import { mapLimit } from "./pool.ts";
import { buildOne, type RecipeTools } from "./recipes.ts";
import { toolVersion } from "./tools.ts";
import { requireCheckedTool } from "./tool-identity.ts";
import { buildBlocker, findToolchains, skipNotices, type ClangInfo, type RustcInfo } from "./toolchains.ts";

/** What a build does unless told otherwise. */
export const BUILD_DEFAULTS = { jobs: 2 } as const;

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

/** One fixture rebuilt (or skipped) and compared with the committed binary and the recorded hash; the
 * bytes are kept when they are new. */
async function rebuild(
  f: Fixture,
  dir: string,
  work: string,
  tools: RecipeTools,
  opts: BuildOptions,
  skip: string | undefined,
): Promise<{ result: BuiltFixture; bytes?: Uint8Array }> {
  if (skip) return { result: { name: f.name, status: "skipped", sha256: null, recorded: f.sha256, why: skip } };
  const bytes = readFileSync(await buildOne(f, dir, work, tools));
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
}

/** Writes the new hashes into the manifest text, atomically; whether anything changed. */
function writeHashes(manifestPath: string, results: BuiltFixture[]): boolean {
  const changed = Object.fromEntries(
    results.filter((r) => r.sha256 && r.sha256 !== r.recorded).map((r) => [r.name, r.sha256!]),
  );
  if (!Object.keys(changed).length) return false;
  const text = readFileSync(manifestPath, "utf8");
  const next = updateManifestHashes(text, changed);
  if (next === text) return false;
  atomicWrite(manifestPath, next);
  return true;
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
  const skipWhy = new Map(blocked.map(({ f, why }) => [f.name, skipLines.get(why)!]));
  const tools = { jco: jco.path, clang: toolchains.clang?.path, rustc: toolchains.rustc };
  const work = makeTempDir("seam-fixtures");
  try {
    // Everything is built before anything is written, so a failing build leaves the corpus as it was.
    const built = await mapLimit(fixtures, opts.jobs ?? BUILD_DEFAULTS.jobs, (f) =>
      rebuild(f, manifest.dir, work, tools, opts, skipWhy.get(f.name)),
    );
    const results = built.map((b) => b.result);
    if (!opts.check)
      for (const [i, b] of built.entries())
        if (b.result.status === "updated" && b.bytes) atomicWrite(fixtures[i]!.file, b.bytes);
    const manifestUpdated = !opts.check && writeHashes(manifestPath, results);
    return {
      schema: "seam.fixtures-build/1",
      check: opts.check ?? false,
      tools: {
        jco: { path: jco.path, version: await toolVersion(jco) },
        clang: toolchains.clang ?? null,
        rustc: toolchains.rustc ?? null,
      },
      fixtures: results,
      notices: [...skipLines.values()],
      manifestUpdated,
    };
  } finally {
    removeTemp(work);
  }
}
