/**
 * runners — runs (or, for junit, reads) a test suite once for the LS gate and returns every test it
 * read: `cargo test` with one `ls_` filter, `bun test` with a JUnit report, or JUnit files another command
 * wrote. Every input is checked before anything runs; a run that hangs, crashes or leaves unreadable output
 * is a runner error (the gate fails closed), never a SeamError. Used by scripts/ls-gate.ts.
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { EXIT, SeamError, usageError } from "../core/errors.ts";
import { splitPassthrough } from "../core/cli.ts";
import { runProcess, shellLine, type ProcResult } from "../core/proc.ts";
import { atomicWrite, makeTempDir, removeTemp, requireFile } from "../core/fsx.ts";
import { explicitChoiceHint, onPath } from "../tools/lookup.ts";
import { identifyBinary } from "../tools/identity.ts";
import { parseCargoTest, type RunnerError, type RunnerOutput } from "./libtest.ts";
import { readJUnitFiles } from "./junit.ts";
import { judgeBunRun } from "./bun-test.ts";
import type { RunnerKind } from "./report.ts";

export interface RunSuiteOptions {
  runner: RunnerKind;
  project: string;
  package?: string;
  /** Runner args; for cargo, args after a second `--` go to libtest. */
  passthrough: string[];
  junit: string[];
  runnerStatus?: number;
  timeoutMs: number;
  /** The runner's own output, line by line, as it arrives (progress, not results). */
  onProgress?: (line: string) => void;
}

export interface SuiteRun {
  output: RunnerOutput;
  command: string;
}

/** How much of a runner's stdout and stderr is read; more is a runner error, not a partial read. */
export const CAPTURE = 256 << 20;

/** Turns output chunks into whole lines for onProgress. */
function lineSink(onLine?: (line: string) => void): { push: (chunk: string) => void; flush: () => void } {
  let rest = "";
  return {
    push(chunk) {
      if (!onLine) return;
      const lines = (rest + chunk).split(/\r?\n/);
      rest = lines.pop() ?? "";
      for (const l of lines) onLine(l);
    },
    flush() {
      if (onLine && rest) onLine(rest);
      rest = "";
    },
  };
}

export function cargoArgv(opts: Pick<RunSuiteOptions, "package" | "passthrough">): string[] {
  const [cargoArgs, libtestArgs] = splitPassthrough(opts.passthrough);
  if (cargoArgs.some((a) => a === "-q" || a === "--quiet")) {
    throw usageError("cargo's --quiet hides the per-test lines the gate reads", "drop -q/--quiet from the runner args");
  }
  return [
    process.env.CARGO || "cargo",
    "test",
    ...(opts.package ? ["-p", opts.package] : []),
    "--no-fail-fast",
    ...cargoArgs,
    "--",
    "--color=never",
    ...libtestArgs,
    "ls_", // every prefix starts with it: one filter runs every test that can match, orphans included
  ];
}

function tooBig(r: ProcResult): RunnerError | undefined {
  if (r.stdoutTruncated || r.stderrTruncated)
    return { message: `runner output exceeded ${CAPTURE >> 20} MiB and could not be read whole`, detail: [] };
}

function timedOut(what: string, timeoutMs: number): RunnerError {
  const s = Math.round(timeoutMs / 1000);
  return { message: `${what} did not finish within ${s} s and was killed (a hung test?)`, detail: [] };
}

/** A file's text; a folder or an unreadable file is bad input (exit 2), never a stack trace. */
export function readText(path: string, what: string): string {
  requireFile(path, what);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw usageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      "check the file's permissions",
    );
  }
}

/** The crate cargo would use when run in `from`: the nearest folder at or above it holding a Cargo.toml. */
export function findCrate(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Cargo.toml"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** What a run reads, checked before anything runs or is created; bad input throws a SeamError (exit 2). */
export function checkSuiteInputs(
  opts: Pick<RunSuiteOptions, "runner" | "project" | "package" | "passthrough" | "junit">,
): void {
  if (!existsSync(opts.project))
    throw usageError(`project folder not found: ${opts.project}`, "pass --project DIR, an existing folder");
  if (!statSync(opts.project).isDirectory())
    throw usageError(`--project ${opts.project} is not a folder`, "pass --project DIR, the folder the runner runs in");
  if (opts.runner === "junit") {
    if (opts.junit.length === 0)
      throw usageError(
        "--runner junit needs at least one --junit FILE",
        "pass the JUnit XML your test command writes, e.g. --junit target/nextest/ci/junit.xml",
      );
    for (const path of opts.junit) if (existsSync(path)) requireFile(path, "--junit report");
  } else if (opts.runner === "bun") {
    if (opts.junit.length > 1) throw usageError("--runner bun keeps one JUnit report: give --junit once");
  } else {
    cargoArgv(opts);
    if (
      !existsSync(join(opts.project, "Cargo.toml")) &&
      !opts.passthrough.some((a) => a.startsWith("--manifest-path"))
    ) {
      throw usageError(
        `no Cargo.toml in ${opts.project}`,
        "run it inside a crate, or pass --project CRATE_DIR (or `-- --manifest-path PATH`); seam's own suite is --runner bun",
      );
    }
  }
}

/**
 * CARGO names the cargo to run: one that cannot be run, or a program that is not cargo, is an error
 * (exit 3) before anything runs, not a broken suite.
 */
export async function checkCargoVar(): Promise<void> {
  const cargo = process.env.CARGO;
  if (!cargo) {
    if (!onPath("cargo"))
      throw new SeamError("cargo not found (ENOENT: not on PATH)", {
        hint: "install Rust (https://rustup.rs) or set CARGO=/path/to/cargo; or use --runner junit with your runner's JUnit XML",
        exitCode: EXIT.missingTool,
      });
    return;
  }
  try {
    accessSync(cargo, constants.X_OK);
    if (!statSync(cargo).isFile()) throw Object.assign(new Error("a folder"), { code: "EISDIR" });
  } catch (err) {
    throw new SeamError(
      `CARGO=${cargo} cannot be run (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { hint: explicitChoiceHint("CARGO", "cargo"), exitCode: EXIT.missingTool },
    );
  }
  const who = await identifyBinary(cargo, {
    as: "cargo",
    args: ["--version"],
    answers: (o) => /^cargo \d+\.\d+/m.test(o),
  });
  if (!who.ok)
    throw new SeamError(
      `CARGO=${cargo} does not answer like cargo: \`cargo --version\` printed ${who.answer}, expected \`cargo X.Y.Z\``,
      { hint: explicitChoiceHint("CARGO", "cargo"), exitCode: EXIT.missingTool },
    );
}

/** Reads the --junit reports; one that does not exist is the test command's failure, not bad input: readJUnitFiles fails closed on it. */
function readJUnitSuite(opts: RunSuiteOptions): SuiteRun {
  const files = opts.junit.map((path) => ({
    path,
    text: existsSync(path) ? readText(path, "--junit report") : undefined,
  }));
  return {
    output: readJUnitFiles(files, opts.runnerStatus),
    command: `read JUnit ${opts.junit.map((p) => relative(process.cwd(), p) || p).join(" ")}`,
  };
}

function cargoNotRunnable(spawnError: string): SeamError {
  if (process.env.CARGO) {
    return new SeamError(`CARGO=${process.env.CARGO} cannot be run (${spawnError})`, {
      hint: explicitChoiceHint("CARGO", "cargo"),
      exitCode: EXIT.missingTool,
    });
  }
  return new SeamError(`cargo not found (${spawnError})`, {
    hint: "install Rust (https://rustup.rs) or set CARGO=/path/to/cargo",
    exitCode: EXIT.missingTool,
  });
}

async function runCargoSuite(opts: RunSuiteOptions): Promise<SuiteRun> {
  await checkCargoVar();
  const sink = lineSink(opts.onProgress);
  const argv = cargoArgv(opts);
  const r = await runProcess(argv, {
    cwd: opts.project,
    env: { ...process.env, CARGO_TERM_COLOR: "never" },
    timeoutMs: opts.timeoutMs,
    maxCapture: CAPTURE,
    onStderr: opts.onProgress ? (c: Buffer) => sink.push(c.toString("utf8")) : undefined,
  });
  const command = shellLine(argv.map((a, i) => (i === 0 ? "cargo" : a)));
  if (r.spawnError) throw cargoNotRunnable(r.spawnError);
  sink.flush();
  sink.push(r.stdout); // libtest's lines and failure output, after cargo's own progress
  sink.flush();
  if (r.timedOut) return { output: { tests: [], error: timedOut("cargo test", opts.timeoutMs) }, command };
  const big = tooBig(r);
  return { output: big ? { tests: [], error: big } : parseCargoTest(r), command };
}

async function runBunSuite(opts: RunSuiteOptions): Promise<SuiteRun> {
  const sink = lineSink(opts.onProgress);
  const dir = makeTempDir("seam-ls-gate");
  try {
    const xmlPath = join(dir, "bun-junit.xml");
    // The gate bounds the whole run (timeoutMs, then the process tree is killed: fail closed), so bun's
    // 5 s per-test default would only fail slow real-tool tests; pass --timeout yourself to keep one.
    const extra = opts.passthrough.some((a) => a.startsWith("--timeout"))
      ? opts.passthrough
      : ["--timeout=0", ...opts.passthrough];
    const argv = [process.execPath, "test", "--reporter=junit", `--reporter-outfile=${xmlPath}`, ...extra];
    const command = [
      "bun test --reporter=junit --reporter-outfile=$TMP/bun-junit.xml",
      ...extra.map((a) => shellLine([a])),
    ].join(" ");
    const onStderr = opts.onProgress ? (c: Buffer) => sink.push(c.toString("utf8")) : undefined;
    const r = await runProcess(argv, { cwd: opts.project, timeoutMs: opts.timeoutMs, maxCapture: CAPTURE, onStderr });
    sink.flush();
    if (r.timedOut) return { output: { tests: [], error: timedOut("bun test", opts.timeoutMs) }, command };
    const big = tooBig(r);
    if (big) return { output: { tests: [], error: big }, command };
    const xml = existsSync(xmlPath) ? readFileSync(xmlPath, "utf8") : undefined;
    if (xml !== undefined && opts.junit[0]) atomicWrite(opts.junit[0], xml);
    return { output: judgeBunRun(r, xml, "bun JUnit report", realpathSync(opts.project)), command };
  } finally {
    removeTemp(dir);
  }
}

/** Runs (or, for junit, reads) the suite once. Throws SeamError only for bad input or a runner that is not installed. */
export async function runSuite(opts: RunSuiteOptions): Promise<SuiteRun> {
  checkSuiteInputs(opts);
  if (opts.runner === "junit") return readJUnitSuite(opts);
  if (opts.runner === "cargo") return runCargoSuite(opts);
  return runBunSuite(opts);
}
