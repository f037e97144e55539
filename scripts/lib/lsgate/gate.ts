/**
 * gate — the loss-scenario gate in one test run: loads the scenarios, runs the suite once
 * (lib/lsgate/runners.ts), buckets every test's own outcome into the results (lib/lsgate/report.ts) and
 * writes the requested files. Never prints (runner output goes to onProgress), never exits.
 * Used by: scripts/ls-gate.ts (its CLI), scripts/all.ts (its ls-gate step), lib/lsgate/bench.ts, tests.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { usageError } from "../core/errors.ts";
import { atomicWrite, atomicWriteJson, checkOutputs } from "../core/fsx.ts";
import { ROOT } from "../core/paths.ts";
import { appendStepSummary } from "../github/actions.ts";
import { findScenarios, parseScenarios, type ScenarioSet } from "./scenarios.ts";
import { buildLsReport, type LsGateReport, type RunnerKind } from "./report.ts";
import { renderLsGateMarkdown } from "./render.ts";
import { checkCargoVar, checkSuiteInputs, readText, runSuite, type RunSuiteOptions } from "./runners.ts";

export interface LsGateOptions extends Partial<Omit<RunSuiteOptions, "runner" | "project">> {
  /** Where the runner runs; default seam's root (the CLI defaults to the crate the working folder is in for cargo). */
  project?: string;
  /** Default cargo, as upstream. */
  runner?: RunnerKind;
  /** Default findScenarios(project): PROJECT/safety/stpa/loss-scenarios.yaml, else the nearest one above. */
  scenariosPath?: string;
  compat?: boolean;
  /** Written atomically when given (checked writable before the suite runs), with the markdown beside it. */
  resultsJson?: string;
  /** Default: ls-gate.md beside resultsJson. */
  markdown?: string;
  /** A file the markdown is appended to ($GITHUB_STEP_SUMMARY). */
  stepSummary?: string;
  runUrl?: string;
}

export interface LsGateRun {
  report: LsGateReport;
  scenarios: ScenarioSet;
  markdown: string;
}

/** The gate kills the runner after this long: a hung suite fails the gate instead of the CI job's own limit. */
export const GATE_TIMEOUT_MS = 1_800_000;

/** What runLsGate and the CLI use when not told; all.ts writes the same file names under its own out folder. */
export const LS_GATE_DEFAULTS = {
  runner: "cargo" as RunnerKind,
  project: ROOT,
  timeoutMs: GATE_TIMEOUT_MS,
  /** The CLI's --results-json folder. */
  outDir: join(ROOT, "out", "ls-gate"),
  resultsFile: "verification-results.json",
  /** Written beside the results unless --markdown says otherwise. */
  markdownFile: "ls-gate.md",
};

interface GatePlan {
  suite: RunSuiteOptions;
  scenarios: ScenarioSet;
  markdownPath?: string;
}

/** Every input first, then every output: bad input never leaves a folder or a file behind. */
function planGate(opts: LsGateOptions): GatePlan {
  const d = LS_GATE_DEFAULTS;
  const project = opts.project ?? d.project;
  const scenariosPath = opts.scenariosPath ?? findScenarios(project);
  const markdownPath =
    opts.markdown ?? (opts.resultsJson ? join(dirname(opts.resultsJson), d.markdownFile) : undefined);
  const suite: RunSuiteOptions = {
    ...opts,
    runner: opts.runner ?? d.runner,
    project,
    passthrough: opts.passthrough ?? [],
    junit: opts.junit ?? [],
    timeoutMs: opts.timeoutMs ?? d.timeoutMs,
  };
  checkSuiteInputs(suite);
  if (!existsSync(scenariosPath)) {
    throw usageError(
      `scenarios file not found: ${scenariosPath}`,
      "pass --scenarios FILE or --project DIR holding safety/stpa/loss-scenarios.yaml",
    );
  }
  const scenarios = parseScenarios(readText(scenariosPath, "scenarios file"), scenariosPath);
  const reads = suite.runner === "junit" ? suite.junit.map((p): [string, string] => ["a --junit report", p]) : [];
  checkOutputs(
    [["the scenarios file", scenariosPath], ...reads],
    [
      ["--results-json", opts.resultsJson],
      ["--markdown", markdownPath],
      ["--junit", suite.runner === "bun" ? suite.junit[0] : undefined],
      ["GITHUB_STEP_SUMMARY", opts.stepSummary, "append"],
    ],
  );
  return { suite, scenarios, markdownPath };
}

/**
 * Loads the scenarios, runs the suite once, builds the report and writes the requested files.
 * Never prints (runner output goes to onProgress), never exits; throws SeamError for bad input.
 */
export async function runLsGate(opts: LsGateOptions): Promise<LsGateRun> {
  const { suite, scenarios, markdownPath } = planGate(opts);
  const { runner, project } = suite;
  if (runner === "cargo") await checkCargoVar();
  opts.onProgress?.(
    `ls-gate: running ${runner === "junit" ? "nothing (reading JUnit reports)" : `${runner} test`} in ${project}`,
  );
  const { output, command } = await runSuite(suite);
  const report = buildLsReport({ scenarios, runner, compat: opts.compat ?? false, command }, output);
  const markdown = renderLsGateMarkdown(report, { runUrl: opts.runUrl });
  if (opts.resultsJson) atomicWriteJson(opts.resultsJson, report);
  if (markdownPath) atomicWrite(markdownPath, markdown);
  // A blank line after the body, so a later step's section starts on its own.
  if (opts.stepSummary) appendStepSummary(markdown + "\n", { GITHUB_STEP_SUMMARY: opts.stepSummary });
  return { report, scenarios, markdown };
}
