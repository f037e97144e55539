#!/usr/bin/env bun
/**
 * fixtures — builds seam's fixture corpus (fixtures/*.wasm from fixtures/src/) and verifies it: committed
 * binaries against the manifest's hashes, every fixture against its expectation on a reference engine,
 * and what real meld does with each one in multi and shared memory against what the manifest records.
 * Called by: CI, people adding a fixture (scripts/all.ts's `fixtures` step calls lib/fixtures/build.ts).
 * The build: lib/fixtures/build.ts, recipes.ts, toolchains.ts; verify: lib/fixtures/verify.ts; here: the CLI.
 * Usage: bun scripts/fixtures.ts build [--check] [--fixture NAME]... [--manifest FILE] [--json]
 *        bun scripts/fixtures.ts verify [--run] [--fused] [--engine jco|wasmtime] [--fixture NAME]...
 *          [--jobs N] [--manifest FILE] [--json]
 * Exit: 0 ok; 1 a rebuild differs (--check) or a fixture does not do what the manifest says;
 *       2 usage error or bad manifest; 3 a required tool (jco, the engine, meld) is missing
 */
import { resolve } from "node:path";
import { color, enumValue, noDuplicates, parseCli, positiveInt, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, usageError } from "./lib/core/errors.ts";
import { buildFixtures } from "./lib/fixtures/build.ts";
import { requireFile } from "./lib/core/fsx.ts";
import { DEFAULT_MANIFEST, loadManifest, selectFixtures } from "./lib/fixtures/manifest.ts";
import { checkToolchainVars } from "./lib/fixtures/toolchains.ts";
import { checkTool } from "./lib/tools/identity.ts";
import { VERIFY_DEFAULTS, verifyFixtures } from "./lib/fixtures/verify.ts";
import { jsonText } from "./lib/core/render.ts";
import { SCHEMAS } from "./lib/engines/records.ts";

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
  if (run) await checkTool(engine, { required: true });
  if (values.fused) await checkTool("meld", { required: true });
  const manifest = loadManifest(manifestPath);
  const report = run
    ? await verifyFixtures({ manifestPath, only: values.fixture, engine, run, fused: values.fused, jobs, onProgress })
    : {
        schema: SCHEMAS.fixturesVerify,
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
