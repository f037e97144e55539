#!/usr/bin/env bun
/**
 * fixtures — builds seam's fixture corpus (fixtures/*.wasm from fixtures/src/) and verifies it: committed
 * binaries against the manifest's hashes, every fixture against its expectation on a reference engine,
 * and what real meld does with each one in multi and shared memory against what the manifest records.
 * Called by: CI, people adding a fixture (scripts/all.ts's `fixtures` step calls lib/fixtures/build.ts).
 * The build itself: lib/fixtures/build.ts, lib/fixtures/recipes.ts, lib/fixtures/toolchains.ts; here: verify and the CLI.
 * Usage: bun scripts/fixtures.ts build [--check] [--fixture NAME]... [--manifest FILE] [--json]
 *        bun scripts/fixtures.ts verify [--run] [--fused] [--engine jco|wasmtime] [--fixture NAME]...
 *          [--jobs N] [--manifest FILE] [--json]
 * Exit: 0 ok; 1 a rebuild differs (--check) or a fixture does not do what the manifest says;
 *       2 usage error or bad manifest; 3 a required tool (jco, the engine, meld) is missing
 */
import { join, resolve } from "node:path";
import { color, enumValue, noDuplicates, parseCli, positiveInt, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, usageError } from "./lib/core/errors.ts";
import { buildFixtures } from "./lib/fixtures/build.ts";
import { makeTempDir, removeTemp, requireFile } from "./lib/core/fsx.ts";
import { judgeRun, type Judgement } from "./lib/fixtures/judge.ts";
import { DEFAULT_MANIFEST, loadManifest, selectFixtures } from "./lib/fixtures/manifest.ts";
import type { Fixture } from "./lib/fixtures/fixture.ts";
import { mapLimit } from "./lib/core/pool.ts";
import {
  FUSE_FLAGS,
  MEMORY_MODES,
  type Engine,
  type FuseRecord,
  type MemoryMode,
  type RunRecord,
} from "./lib/engines/records.ts";
import { checkToolchainVars } from "./lib/fixtures/toolchains.ts";
import { requireCheckedTool } from "./lib/tools/identity.ts";
import { fuse } from "./fuse.ts";
import { runComponent } from "./run-kiln.ts";
import { jsonText } from "./lib/core/render.ts";

/** What verify does unless told otherwise. */
export const VERIFY_DEFAULTS = { engine: "jco", jobs: 2 } as const;

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

/** A row of one fuse target, with what meld did and how long it took. */
function fuseRow(f: Fixture, target: Target, rec: FuseRecord) {
  const meld = { verdict: rec.verdict, message: rec.message, version: rec.meld?.version };
  return (status: CheckStatus, why: string, extra: Partial<CheckRow> = {}): CheckRow => ({
    fixture: f.name,
    target,
    status,
    why,
    meld,
    ms: rec.ms,
    ...extra,
  });
}

/** meld's fused component on the engine against what the manifest records: pass, or misfused in its words. */
async function judgeFused(
  f: Fixture,
  mode: MemoryMode,
  engine: Exclude<Engine, "kiln">,
  rec: FuseRecord,
  row: ReturnType<typeof fuseRow>,
): Promise<CheckRow> {
  const exp = f.meld[mode];
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
  const judged = { engine: judgeWith, ms };
  if (exp.outcome === "refused")
    return row(
      "mismatch",
      `meld now fuses it (manifest records a refusal: ${exp.message}); on ${judgeWith}: ${j.ok ? "meets the expectation" : j.why}`,
      judged,
    );
  if (j.ok) {
    return exp.outcome === "pass"
      ? row("ok", `fused file on ${judgeWith}: ${j.why}`, judged)
      : row(
          "mismatch",
          `the fused file now meets the expectation on ${judgeWith} (manifest records misfused: ${exp.message})`,
          judged,
        );
  }
  if (exp.outcome === "pass") return row("mismatch", `fused file on ${judgeWith}: ${j.why}`, judged);
  if (!errorText(j).includes(exp.message!))
    return row("mismatch", `misfused differently on ${judgeWith}: ${j.why} (manifest records: ${exp.message})`, judged);
  return row("ok", `meld misfuses it, as recorded: ${exp.message}`, judged);
}

/** Fuses one fixture in one mode and compares what meld and the fused file do with the manifest's record. */
export async function checkFused(
  f: Fixture,
  mode: MemoryMode,
  engine: Exclude<Engine, "kiln">,
  workDir: string,
): Promise<CheckRow> {
  const exp = f.meld[mode];
  // The flags tier-c fuses with, so what the manifest records is what the seam matrix sees.
  const rec = await fuse({
    inputs: [f.file],
    output: join(workDir, `${f.name}.${mode}.wasm`),
    memory: mode,
    extraArgs: FUSE_FLAGS,
  });
  const row = fuseRow(f, `fused ${mode}`, rec);
  if (rec.verdict === "missing-tool") return row("skipped", `meld missing: ${rec.message}`);
  if (rec.verdict === "crashed") return row("mismatch", `meld crashed: ${rec.message}`);
  if (rec.verdict !== "refused") return judgeFused(f, mode, engine, rec, row);
  if (exp.outcome !== "refused")
    return row("mismatch", `meld refused it (manifest records ${exp.outcome}): ${rec.message}`);
  if (!rec.message?.includes(exp.message!))
    return row("mismatch", `meld refused it with other words: ${rec.message} (manifest records: ${exp.message})`);
  return row("ok", `meld refuses it, as recorded: ${exp.message}`);
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
  const row = fuseRow(f, `core ${mode}`, rec);
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

/** One fixture's original on the reference engine (or the one its manifest entry names). */
async function checkOriginal(f: Fixture, engine: Exclude<Engine, "kiln">): Promise<CheckRow> {
  const judgeWith = engine === "jco" ? (f.reference?.engine ?? engine) : engine;
  const j = await runFixture(f, f.file, judgeWith);
  const missing = j.runs.find((r) => r.verdict === "missing-engine");
  return {
    fixture: f.name,
    target: "original",
    status: missing ? "skipped" : j.ok ? "ok" : "mismatch",
    why: judgeWith === engine ? j.why : `on ${judgeWith} (${f.reference!.why}): ${j.why}`,
    engine: judgeWith,
    ms: j.runs.reduce((a, r) => a + r.ms, 0),
  };
}

/** Checks the manifest and hashes, then (optionally) every fixture on the engine and every fused file. */
export async function verifyFixtures(opts: VerifyOptions = {}): Promise<VerifyReport> {
  const manifest = loadManifest(opts.manifestPath ?? DEFAULT_MANIFEST);
  const fixtures = selectFixtures(manifest.fixtures, opts.only);
  const engine = opts.engine ?? VERIFY_DEFAULTS.engine;
  const tasks: { f: Fixture; target: Target }[] = [];
  for (const f of fixtures) {
    if (opts.run ?? true) tasks.push({ f, target: "original" });
    if (opts.fused)
      for (const m of opts.memory ?? MEMORY_MODES) tasks.push({ f, target: `fused ${m}` }, { f, target: `core ${m}` });
  }
  const work = opts.workDir ?? makeTempDir("seam-verify");
  try {
    const rows = await mapLimit(tasks, opts.jobs ?? VERIFY_DEFAULTS.jobs, async ({ f, target }): Promise<CheckRow> => {
      const [kind, mode] = target.split(" ") as ["original" | "fused" | "core", MemoryMode];
      const row =
        kind === "original"
          ? await checkOriginal(f, engine)
          : kind === "core"
            ? await checkCore(f, mode, work)
            : await checkFused(f, mode, engine, work);
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
  --jobs N       engine runs in parallel (default ${VERIFY_DEFAULTS.jobs})
--fixture NAME   only this fixture (repeatable)
--manifest FILE  another manifest (default fixtures/manifest.yaml); its paths are relative to its folder
--json           print the report as JSON on stdout

Exit: 0 ok; 1 a rebuild differs (--check) or a fixture does not do what the manifest says;
      2 usage error or bad manifest; 3 a required tool (jco, the engine, meld) is missing`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

function parseFlags(argv: string[]) {
  return parseCli(argv, {
    check: { type: "boolean", default: false },
    run: { type: "boolean", default: false },
    fused: { type: "boolean", default: false },
    engine: { type: "string", default: VERIFY_DEFAULTS.engine },
    fixture: { type: "string", multiple: true, default: [] },
    jobs: { type: "string" },
    manifest: { type: "string", default: DEFAULT_MANIFEST },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
}

type Flags = ReturnType<typeof parseFlags>["values"];
type Progress = ((line: string) => void) | undefined;

async function build(
  values: Flags,
  manifestPath: string,
  jobs: number | undefined,
  onProgress: Progress,
): Promise<number> {
  if (values.run || values.fused)
    throw usageError("--run and --fused belong to verify", "bun scripts/fixtures.ts verify --fused");
  if (values.engine !== VERIFY_DEFAULTS.engine)
    throw usageError("--engine belongs to verify", "bun scripts/fixtures.ts verify --run --engine wasmtime");
  await checkToolchainVars();
  const report = await buildFixtures({ manifestPath, only: values.fixture, check: values.check, jobs, onProgress });
  for (const n of report.notices) progress(color.yellow(`note: ${n}`));
  if (values.json) process.stdout.write(jsonText(report));
  else {
    process.stdout.write(
      table(report.fixtures.map((f) => [f.name, f.status, f.sha256?.slice(0, 16) ?? "-", f.why ?? ""])),
    );
    if (report.manifestUpdated) process.stdout.write("manifest: sha256 values updated\n");
  }
  return report.fixtures.some((f) => f.status === "differs") ? EXIT.fail : EXIT.ok;
}

async function verify(
  values: Flags,
  manifestPath: string,
  jobs: number | undefined,
  onProgress: Progress,
): Promise<number> {
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
  if (values.json) process.stdout.write(jsonText(report));
  else {
    process.stdout.write(`manifest: ${manifest.fixtures.length} fixtures, every field and hash checked\n`);
    if (report.rows.length) process.stdout.write(table(report.rows.map((r) => [r.fixture, r.target, r.status, r.why])));
  }
  return report.rows.some((r) => r.status === "mismatch") ? EXIT.fail : EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv);
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const [verb, ...rest] = positionals;
  if (rest.length) throw usageError(`unexpected argument: ${rest[0]}`, "run with --help");
  const jobs = values.jobs === undefined ? undefined : positiveInt("--jobs", values.jobs);
  noDuplicates("--fixture", values.fixture);
  if (values.manifest !== DEFAULT_MANIFEST) requireFile(values.manifest, "manifest");
  const onProgress = values.json ? undefined : (line: string) => progress(color.dim(line));
  const manifestPath = resolve(values.manifest);
  if (verb === "build") return build(values, manifestPath, jobs, onProgress);
  if (verb === "verify") return verify(values, manifestPath, jobs, onProgress);
  throw usageError(
    verb ? `unknown command: ${verb}` : "missing command",
    "bun scripts/fixtures.ts build|verify (see --help)",
  );
}

if (import.meta.main) process.exitCode = await runCli("fixtures", main);
