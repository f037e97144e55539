#!/usr/bin/env bun
/**
 * tier-c — the meld→kiln seam matrix. For each fixture, memory mode and output form: the reference
 * engine on the original is the oracle, kilnd on the original the baseline (components only), then
 * fuse, the reference on meld's output, and kilnd on the fused file — the seam. Two forms:
 * `component` (upstream's Tier C: `meld fuse --component`, `kilnd FILE --component --wasi`) and `core`
 * (kiln's RFC #46 path: meld's default core module, `kilnd FILE --wasi`, exports by `--function`).
 * Each row gets one verdict saying whose bug it is and the evidence it rests on, is held against the
 * known-blocker ledger, and every failure leaves a repro bundle that tier-c re-runs once. The matrix is
 * lib/tierc/ (runMatrix in rows.ts); this file is its command line, with `merge` (shards) and `compare`.
 * Called by: scripts/all.ts (target tier-c), CI, people tracking a kiln blocker.
 * Usage: bun scripts/tier-c.ts [--fixture NAME]... [--memory multi,shared] [--form component,core]
 *          [--out DIR] [-j N] [--shard i/n] [--strict] [--no-cache] [--json] [--reference jco|wasmtime]
 *          [--ledger FILE] [--manifest FILE] [--baseline BASE [--fail-on regressed|moved|any|none]]
 *        bun scripts/tier-c.ts FILE.wasm|DIR... [--arg A]... [--env K=V]... [--stdin FILE]
 *          [--invoke 'NAME(ARG, …)']... [--calls FILE] [--save-fixture NAME] [the options above but --fixture]
 *          (ad hoc: lib/tierc/adhoc/inputs.ts; default --out out/adhoc/<name>)
 *        bun scripts/tier-c.ts --list-exports FILE.wasm|DIR... [--json]
 *        bun scripts/tier-c.ts merge DIR... [--out DIR] [--strict] [--json]
 *        bun scripts/tier-c.ts compare BASE HEAD [--fail-on …] [--build LABEL] [--json] [--out FILE] [--junit FILE]
 */
import { lockOut } from "./lib/core/lock.ts";
import { DEFAULT_MEMORY_LIMIT } from "./lib/engines/run.ts";
import { join, relative, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { adhocNotices, collectAdhocInputs, type AdhocFixture } from "./lib/tierc/adhoc/inputs.ts";
import { componentExportsOf, exportsJson, renderExports } from "./lib/tierc/adhoc/calls.ts";
import { recordExpectations } from "./lib/tierc/adhoc/record.ts";
import { saveFixture } from "./lib/tierc/adhoc/save-fixture.ts";
import { color, noDuplicates, parseCli, progress, runCli } from "./lib/core/cli.ts";
import { compareJUnit } from "./lib/compare/render.ts";
import { compareReports, diffExitCode } from "./lib/compare/compare.ts";
import { loadResults, parseFailOn } from "./lib/compare/io.ts";
import { renderCompareMarkdown } from "./lib/compare/render.ts";
import { takeBaseline, writeDiff } from "./lib/compare/io.ts";
import { EXIT, usageError } from "./lib/core/errors.ts";
import { atomicWrite, checkOutputs, requireFolder, shownPath } from "./lib/core/fsx.ts";
import { annotations } from "./lib/github/actions.ts";
import { fromAdhoc } from "./lib/tierc/matrix.ts";
import { runMatrix, withBuildDiffs } from "./lib/tierc/rows.ts";
import { DEFAULT_OUT, FLAGS, plan, type Plan } from "./lib/tierc/plan.ts";
import type { FlagSpec } from "./lib/core/cli.ts";
import { mergeReports, writeReports } from "./lib/tierc/write.ts";
import { type Row, type TierCReport } from "./lib/tierc/report.ts";
import { jsonText } from "./lib/core/render.ts";

const HELP = `tier-c — the meld→kiln seam matrix, with attribution, a known-blocker ledger and repro bundles
(docs/scripts.md: "scripts/tier-c.ts"; README: "Check your own component", "Reading the tier-c table")

Usage: bun scripts/tier-c.ts [options]
       bun scripts/tier-c.ts FILE.wasm|DIR... [--arg A]... [--env K=V]... [--stdin FILE] [--invoke 'NAME(ARG, …)']... [options]
       bun scripts/tier-c.ts --list-exports FILE.wasm|DIR... [--json]
       bun scripts/tier-c.ts merge DIR... [--out DIR] [--strict] [--json]
       bun scripts/tier-c.ts compare BASE HEAD [--fail-on WHAT] [--build LABEL] [--json] [--out FILE] [--junit FILE]
         [--accept-interrupted]   (results an interrupted run wrote are refused, exit 2, without it)
  --fixture NAME        only this fixture (repeatable); default: every fixture in the manifest
  --memory LIST         multi,shared (default multi); --form LIST  component,core (default both)
  --out DIR             results and repro bundles (default out/tier-c under seam's root; an ad hoc run:
                        out/adhoc/<name of the file or folder>, never out/tier-c unless --out says so)
  -j N                  cells in parallel (default: cores);  --shard i/n  one of n slices, then \`merge\`
  --strict              an xpass fails the run;  --no-cache  re-run every cell
  --reference ENGINE    jco (default; wasmtime for ad hoc runs) or wasmtime
  --ledger FILE         known blockers (default: known-blockers.yaml beside the manifest)
  --manifest FILE       fixture manifest (default fixtures/manifest.yaml)
  --timeout SEC         per engine run (default 60);  --fuel N  fuel limit for kilnd and wasmtime
  --memory-limit SIZE   resident memory of one engine run, e.g. 8G (default \${DEFAULT_MEMORY_LIMIT / 2 ** 30}G);
                        a run over it is a fault named after the cap, not a verdict on its own
  --kilnd [LABEL=]PATH, --meld [LABEL=]PATH   tool builds; repeat to compare builds in one run
  --json                results.json on stdout instead of the table
  --baseline BASE       then compare with BASE (results.json or an --out folder); --fail-on WHAT
Ad hoc (FILE.wasm|DIR, not with --fixture): --arg A, --env K=V, --stdin FILE,
  --invoke 'NAME(ARG, …)'  call an export (repeatable; each call is a reported result), arguments in WAVE
                        (2024, -1.5, true, 'c', "text", [1, 2], {x: 1}), checked against the export's WIT
                        signature before anything runs; in a folder, each call goes to the components that
                        export it (the others run as commands, or are skipped with a line)
  --calls FILE          YAML, each component's file name → its list of calls (a folder of mixed components)
  --list-exports        print each component's callable exports with WIT signatures (and whether it is a
                        command), run nothing; with --json as data
  --save-fixture NAME (keep the one input as a fixture: NAME.wasm and its manifest entry)
  kilnd 0.4.4 cannot pass arguments: its own line ("kilnd cannot yet pass wasm function parameters") makes
  that kiln cell out of scope, never a seam-bug
compare: --fail-on regressed|moved|any|none, --build L (or --base-build L, --head-build L), --json,
  --out FILE, --junit FILE
Writes DIR/results.json, DIR/summary.md, DIR/junit.xml and DIR/<fixture>-<mode>-<form>/ repro bundles.

Exit: 0 every row passes, is skipped, expected or out of scope; 1 an unexpected failure, a moved
      blocker, or an xpass with --strict, or (--baseline) the diff trips --fail-on, or --save-fixture
      cannot record; 2 usage error or bad input (manifest, ledger, BASE, --out, an ad hoc input);
      3 a tool variable or flag names nothing, or a program that does not answer like the tool
      compare: 0 nothing trips --fail-on, 1 it trips, 2 usage error or bad input`;

function printReport(report: TierCReport, outDir: string, json: boolean): void {
  process.stdout.write(json ? jsonText(report) : readFileSync(join(outDir, "summary.md"), "utf8"));
  const title = (r: Row, what: string) =>
    `seam ${r.fixture} (${r.mode}, ${r.form}${r.build ? `, ${r.build}` : ""}): ${what}`;
  const lines = report.rows.flatMap((r): ["error" | "warning", string, string][] =>
    r.outcome === "unexpected" || r.outcome === "moved"
      ? [["error", r.why, title(r, r.verdict)]]
      : r.outcome === "xpass"
        ? [["warning", r.why, title(r, "xpass")]]
        : [],
  );
  process.stdout.write(annotations(lines));
  for (const n of report.notices) progress(color.yellow(`!! ${n}`));
  progress(`wrote ${relative(process.cwd(), outDir) || "."}/results.json, summary.md, junit.xml`);
}

async function mergeMain(argv: string[]): Promise<number> {
  const flags = {
    out: { type: "string", default: DEFAULT_OUT },
    strict: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  } satisfies FlagSpec;
  const { values, positionals } = parseCli(argv, flags);
  if (values.help) return (console.log(HELP), EXIT.ok);
  if (positionals.length === 0)
    throw usageError(
      "merge needs at least one shard folder",
      "bun scripts/tier-c.ts merge out/a out/b --out out/tier-c",
    );
  for (const p of positionals) requireFolder(p, "shard folder");
  noDuplicates("merge: shard folder", positionals, (p) => resolve(p));
  const outDir = resolve(values.out);
  checkOutputs(
    positionals.map((p) => [`the shard folder ${p}`, p]),
    [["--out", values.out, "dir"]],
  );
  const report = mergeReports(
    positionals.map((p) => resolve(p)),
    outDir,
    values.strict,
  );
  if (report.builds) writeReports(withBuildDiffs(report), outDir);
  printReport(report, outDir, values.json);
  return report.exitCode;
}

const COMPARE_FLAGS = {
  "fail-on": { type: "string", default: "regressed" },
  build: { type: "string" },
  "base-build": { type: "string" },
  "head-build": { type: "string" },
  json: { type: "boolean", default: false },
  out: { type: "string" },
  junit: { type: "string" },
  "accept-interrupted": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} satisfies FlagSpec;

async function compareMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, COMPARE_FLAGS);
  if (values.help) return (console.log(HELP), EXIT.ok);
  if (positionals.length !== 2)
    throw usageError(
      `compare needs BASE and HEAD, got ${positionals.length} path(s)`,
      "bun scripts/tier-c.ts compare out/base out/tier-c",
    );
  const failOn = parseFailOn(values["fail-on"]);
  const [base, head] = positionals.map((p) => loadResults(p, values["accept-interrupted"])) as [
    ReturnType<typeof loadResults>,
    ReturnType<typeof loadResults>,
  ];
  checkOutputs(
    [
      ["BASE", base.file],
      ["HEAD", head.file],
    ],
    [
      ["--out", values.out],
      ["--junit", values.junit],
    ],
  );
  const builds = {
    ...(values.build ? { build: values.build } : {}),
    ...(values["base-build"] ? { baseBuild: values["base-build"] } : {}),
    ...(values["head-build"] ? { headBuild: values["head-build"] } : {}),
  };
  const diff = compareReports(base.report, head.report, {
    failOn,
    ...builds,
    baseFile: base.file,
    headFile: head.file,
  });
  const text = values.json ? jsonText(diff) : renderCompareMarkdown(diff);
  if (values.out) atomicWrite(values.out, text);
  else process.stdout.write(text);
  if (values.junit) atomicWrite(values.junit, compareJUnit(diff));
  progress(
    `${diff.summary}${diff.tripped ? color.red(` — fails (--fail-on ${failOn})`) : ""}${values.out ? `; wrote ${values.out}` : ""}`,
  );
  return diffExitCode(diff);
}

/** An ad hoc run's expectations, recorded from the reference engine on each unfused original. */
async function recordAdhoc(p: Plan): Promise<AdhocFixture[] | undefined> {
  if (!p.adhoc) return undefined;
  for (const line of p.adhoc.inputs.skipped) progress(line);
  const o = p.options;
  const engine = o.reference;
  return recordExpectations(p.adhoc.inputs.inputs, p.adhoc.spec, {
    engine,
    cacheDir: join(o.outDir, ".cache"),
    cache: o.cache,
    timeoutMs: o.timeoutMs,
    ...(o.memoryLimitBytes !== undefined ? { memoryLimitBytes: o.memoryLimitBytes } : {}),
    jobs: o.jobs,
    onProgress: progress,
  });
}

/** Writes and prints the report, the diff against the base, and a saved fixture; returns the exit code. */
function finish(
  report: TierCReport,
  p: Plan,
  base: ReturnType<typeof takeBaseline> | undefined,
  recorded?: AdhocFixture[],
): number {
  const outDir = p.options.outDir;
  if (recorded) report.notices.push(...adhocNotices(recorded, p.adhoc!.inputs.skipped, p.ledgerPath));
  if (base)
    report.diff = compareReports(base.report, report, {
      failOn: p.failOn,
      baseFile: shownPath(base.file),
      headFile: shownPath(join(outDir, "results.json")),
    });
  writeReports(report, outDir);
  printReport(report, outDir, p.json);
  let code = report.exitCode;
  if (report.diff) {
    writeDiff(report.diff, outDir);
    if (!p.json) process.stdout.write("\n" + renderCompareMarkdown(report.diff));
    progress(
      `${report.diff.summary}${report.diff.tripped ? color.red(` — fails (--fail-on ${p.failOn})`) : ""}; wrote compare.json, compare.md`,
    );
    code ||= diffExitCode(report.diff);
  }
  const save = p.adhoc?.save;
  if (recorded && save !== undefined) {
    const saved = saveFixture(recorded[0]!, report.rows, { name: save, manifestPath: p.manifestPath });
    progress(`saved fixture ${save}: ${shownPath(saved.wasm)} and its entry in ${shownPath(saved.manifest)}`);
  }
  return code;
}

/** `--list-exports FILE|DIR…`: each component's callable exports with their WIT signatures; runs nothing. */
function listExports(positionals: string[], json: boolean): number {
  if (!positionals.length)
    throw usageError("--list-exports needs a component or a folder", "bun scripts/tier-c.ts --list-exports my.wasm");
  const inputs = collectAdhocInputs(positionals);
  for (const line of inputs.skipped) progress(line);
  const list = componentExportsOf(inputs.inputs);
  process.stdout.write(json ? jsonText(exportsJson(list)) : renderExports(list));
  return EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "merge") return mergeMain(argv.slice(1));
  if (argv[0] === "compare") return compareMain(argv.slice(1));
  const { values, positionals } = parseCli(argv, FLAGS, true);
  if (values.help) return (console.log(HELP), EXIT.ok);
  if (values["list-exports"]) return listExports(positionals, values.json);
  const p = await plan(values, positionals);
  const lock = lockOut(p.options.outDir);
  if (lock.tookOverFrom !== undefined)
    progress(`took over ${shownPath(lock.path)}: the run that held it (pid ${lock.tookOverFrom}) is gone`);
  // Read (and, if it is the results.json about to be replaced, move aside) the base before the run.
  const base = p.baseline === undefined ? undefined : takeBaseline(p.baseline, p.options.outDir);
  const recorded = await recordAdhoc(p);
  const report = await runMatrix({
    ...p.options,
    fixtures: [...p.options.fixtures, ...(recorded ?? []).map(fromAdhoc)],
  });
  return finish(report, p, base, recorded);
}

if (import.meta.main) process.exitCode = await runCli("tier-c", main);
