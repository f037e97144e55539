#!/usr/bin/env bun
/**
 * ls-gate — the loss-scenario verification gate in ONE test run. Every `status: approved` entry of
 * safety/stpa/loss-scenarios.yaml must have a passing test whose full name contains its prefix
 * (`LS-A-11` → `ls_a_11_`, as meld's tools/run_ls_verification.py derives it). Upstream runs `cargo test`
 * once per ID, reads ignored-only IDs as verified and a build error as "missing"; this gate runs the suite
 * once, reads every test's own outcome, and fails closed when the runner did not build, crashed or hung.
 * Called by: `npm test` (seam's own suite, --runner bun), CI step "ls-gate", meld/kiln maintainers (--runner cargo).
 *
 * Usage: bun scripts/ls-gate.ts [--project DIR] [--scenarios FILE] [--runner cargo|bun|junit] [--package NAME]
 *          [--junit FILE]... [--runner-status N] [--results-json FILE] [--markdown FILE] [--compat] [--json]
 *          [--timeout SECONDS] [--quiet] [--run-url URL] [-- runner args [-- libtest args]]
 *   cargo: `cargo test [-p NAME] --no-fail-fast <runner args> -- --color=never <libtest args> ls_` in DIR
 *          (default DIR, as cargo: the crate the working folder is in, the nearest Cargo.toml upward)
 *   bun:   `bun test --reporter=junit --reporter-outfile=<tmp> --timeout=0 <runner args>` in DIR (--junit FILE keeps
 *          the XML; the gate bounds the whole run, so no per-test timeout unless runner args give one)
 *   junit: reads the --junit FILEs (nextest, pytest, bun …); --runner-status is the exit status of the
 *          command that wrote them (a non-zero status the XML does not explain fails the gate)
 * Buckets: passed (≥ 1 matching test passed, none failed) · failed · missing (none matched) · ignored (only
 *   ignored tests matched: not verified). --compat applies upstream's rules (ignored-only counts as passed,
 *   plain substring match, every matching ID counts a test) for side-by-side comparison.
 * Exit: 0 every approved ID verified · 1 an ID or any test failed, or the runner did not build, crashed,
 *   hung or left unreadable output · 2 bad input, or only gaps (missing, ignored-only, orphan tests; with
 *   --compat only missing) · 3 cargo not installed.
 * The last stdout line is `N passed, N failed, N skipped` for every test read (a runner error counts as a failure).
 * Parts: lib/lsgate/gate.ts is the core (runLsGate and its defaults); lib/lsgate/scenarios.ts reads the
 *   scenarios file, runners.ts runs the suite, report.ts buckets the tests into the results, render.ts
 *   shows them (markdown, console). This file: the CLI.
 */
import { join, relative, resolve } from "node:path";
import { EXIT, usageError } from "./lib/core/errors.ts";
import {
  enumValue,
  noDuplicates,
  parseCli,
  positiveSeconds,
  progress,
  runCli,
  splitPassthrough,
  wholeNumber,
} from "./lib/core/cli.ts";
import { ROOT } from "./lib/core/paths.ts";
import { actionsContext, runUrl } from "./lib/github/actions.ts";
import { RUNNER_KINDS, type RunnerKind } from "./lib/lsgate/report.ts";
import { renderConsole } from "./lib/lsgate/render.ts";
import { findCrate } from "./lib/lsgate/runners.ts";
import { GATE_TIMEOUT_MS, LS_GATE_DEFAULTS, runLsGate, type LsGateOptions } from "./lib/lsgate/gate.ts";
import { jsonText } from "./lib/core/render.ts";

const HELP = `ls-gate — loss-scenario verification gate, one test run, fails closed

Usage: bun scripts/ls-gate.ts [options] [-- runner args [-- libtest args]]

  --project DIR         where the runner runs. Default for cargo, as cargo does: the crate the
                        working folder is in (the nearest Cargo.toml upward); for bun and junit:
                        seam's root
  --scenarios FILE      loss-scenarios.yaml (default: DIR/safety/stpa/loss-scenarios.yaml, else the
                        nearest one above DIR in its repository, e.g. a workspace member's workspace)
  --runner KIND         cargo (default) | bun | junit
  --package NAME        cargo: test only this package (-p NAME)
  --junit FILE          junit: a JUnit XML report to read (repeatable; delete it before the test
                        command runs, or a stale report is read; one that is not there fails the gate,
                        exit 1: the test command did not write it); bun: where to keep bun's report
  --runner-status N     junit: exit status of the command that wrote the reports
  --results-json FILE   results (superset of meld's verification-results.json;
                        default: out/ls-gate/${LS_GATE_DEFAULTS.resultsFile} under seam's root)
  --markdown FILE       the comment body (default: ${LS_GATE_DEFAULTS.markdownFile} beside the results)
  --compat              upstream's bucket rules (ignored-only = passed, substring match)
  --json                print the results JSON on stdout (the console list goes to stderr)
  --timeout SECONDS     kill the runner after this long (default ${GATE_TIMEOUT_MS / 1000})
  --quiet               do not echo the runner's own output to stderr
  --run-url URL         link to this CI run in the markdown (default: from GITHUB_* variables)
  --help                this text

Only \`status: approved\` entries are gated; a status that is not a known one is an error (exit 2). The
known statuses and the buckets are in docs/scripts.md (scripts/ls-gate.ts).

Examples:
  bun scripts/ls-gate.ts --runner bun                      # seam's own suite (npm test)
  cd ../meld/meld-core && bun ../../seam/scripts/ls-gate.ts   # this crate, meld's scenarios file
  bun scripts/ls-gate.ts --project ../meld --package meld-core
  bun scripts/ls-gate.ts --runner junit --junit target/nextest/ci/junit.xml --runner-status $?

Exit: 0 every approved ID verified; 1 an ID or any test failed, or the runner did not build, crashed,
hung or left unreadable output; 2 bad input, or only gaps (missing, ignored-only, orphan tests; with
--compat only missing); 3 cargo not installed.
The last stdout line is "N passed, N failed, N skipped" for every test read.
`;

const FLAGS = {
  project: { type: "string" },
  scenarios: { type: "string" },
  runner: { type: "string", default: LS_GATE_DEFAULTS.runner },
  package: { type: "string" },
  junit: { type: "string", multiple: true, default: [] as string[] },
  "runner-status": { type: "string" },
  "results-json": { type: "string" },
  markdown: { type: "string" },
  compat: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  timeout: { type: "string", default: String(GATE_TIMEOUT_MS / 1000) },
  quiet: { type: "boolean", default: false },
  "run-url": { type: "string" },
  help: { type: "boolean", default: false },
} as const;

type GateFlags = ReturnType<typeof parseCli<typeof FLAGS>>["values"];

/** Like cargo: the working folder with --manifest-path (relative to it), else the crate it is in (nearest Cargo.toml upward). */
function cargoProject(passthrough: string[]): string {
  const cwd = process.cwd();
  if (passthrough.some((a) => a.startsWith("--manifest-path"))) return cwd;
  const crate = findCrate(cwd);
  if (crate) return crate;
  throw usageError(
    `no Cargo.toml in ${cwd} or any folder above it`,
    "run it inside a crate, or pass --project CRATE_DIR (or `-- --manifest-path PATH`); seam's own suite is --runner bun",
  );
}

/** The runner and the flags that apply to one runner only, checked against each other. */
function checkRunnerFlags(v: GateFlags, positionals: string[], passthrough: string[]): RunnerKind {
  if (positionals.length) throw usageError(`unexpected argument ${positionals[0]}`, "runner arguments go after `--`");
  const runner = enumValue("--runner", v.runner!, RUNNER_KINDS);
  if (v.package && runner !== "cargo")
    throw usageError("--package applies to --runner cargo only", "drop --package, or use --runner cargo");
  if (v["runner-status"] !== undefined && runner !== "junit")
    throw usageError("--runner-status applies to --runner junit only");
  if (runner === "junit" && passthrough.length)
    throw usageError("--runner junit runs nothing: it takes no runner args");
  return runner;
}

/** The command line as runLsGate's options (every flag checked), or undefined for --help. */
function gateArgs(argv: string[]): { opts: LsGateOptions & { resultsJson: string }; json: boolean } | undefined {
  const [own, passthrough] = splitPassthrough(argv);
  const { values: v, positionals } = parseCli(own, FLAGS);
  if (v.help) return undefined;
  const runner = checkRunnerFlags(v, positionals, passthrough);
  const timeoutS = positiveSeconds("--timeout", v.timeout!);
  const status = v["runner-status"] === undefined ? undefined : wholeNumber("--runner-status", v["runner-status"]);
  noDuplicates("--junit", v.junit!, (p) => resolve(p));
  if (v.junit!.length && runner === "cargo")
    throw usageError(
      "--junit applies to --runner junit (reports to read) and --runner bun (where to keep its report)",
      "cargo's own output is read; for nextest's JUnit XML use --runner junit",
    );
  const opts = {
    runner,
    project: v.project ? resolve(v.project) : runner === "cargo" ? cargoProject(passthrough) : LS_GATE_DEFAULTS.project,
    scenariosPath: v.scenarios ? resolve(v.scenarios) : undefined,
    package: v.package,
    passthrough,
    junit: v.junit!.map((p) => resolve(p)),
    runnerStatus: status,
    timeoutMs: timeoutS * 1000,
    compat: v.compat!,
    resultsJson: resolve(v["results-json"] ?? join(LS_GATE_DEFAULTS.outDir, LS_GATE_DEFAULTS.resultsFile)),
    markdown: v.markdown ? resolve(v.markdown) : undefined,
    stepSummary: actionsContext().stepSummary,
    runUrl: v["run-url"] ?? runUrl(),
    onProgress: v.quiet ? undefined : progress,
  };
  return { opts, json: v.json! };
}

async function main(argv: string[]): Promise<number> {
  const args = gateArgs(argv);
  if (!args) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const { report, scenarios } = await runLsGate(args.opts);
  const shown = relative(ROOT, scenarios.path);
  const path = shown.startsWith("..") ? scenarios.path : shown;
  const consoleText = renderConsole(report, { ...scenarios, path }, args.opts.resultsJson);
  if (args.json) {
    process.stderr.write(consoleText);
    process.stdout.write(jsonText(report));
  } else {
    process.stdout.write(consoleText);
  }
  return report.exit_code;
}

if (import.meta.main) process.exitCode = await runCli("ls-gate", main);
