/**
 * pipeline — a Makefile-like runner without a framework: named steps with dependencies, up-to-date
 * checks by content (a step whose declared inputs hash as at its last success is skipped), parallel
 * steps up to -j, whole-line output, a summary table, and interruption that leaves no stamp behind.
 * The steps themselves are given by the caller (scripts/all.ts); this file knows none of them.
 */
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { EXIT, SeamError } from "./errors.ts";
import { atomicWriteJson, sha256 } from "./fsx.ts";
import { limiter } from "./pool.ts";

export interface StepInputs {
  /** Files (absolute paths) whose contents the step depends on. */
  files: string[];
  /** Tool binaries: identified by path, size and mtime (a rebuilt tool re-runs the step). */
  tools: string[];
  /** Options that change the step's result. */
  options: unknown;
}

export interface StepContext {
  /** Whole-line progress for this step, prefixed with its name. */
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface PipelineStep {
  name: string;
  description: string;
  deps: string[];
  /** The equivalent standalone command, printed before the step runs: a log is a copy-paste repro. */
  command: string;
  inputs?: () => StepInputs | Promise<StepInputs>;
  /** Files that must exist for the step to count as up to date. */
  outputs?: string[];
  /** Why the step cannot run here (then it is skipped, saying so), or undefined. */
  skipReason?: () => string | undefined;
  /** Resolves with a one-line note; throws (or returns ok: false) on failure. */
  run: (ctx: StepContext) => Promise<{ ok: boolean; note: string; exitCode?: number }>;
}

export type StepStatus = "ran" | "up-to-date" | "failed" | "skipped" | "interrupted" | "would run";

export interface StepOutcome {
  name: string;
  status: StepStatus;
  note: string;
  ms: number;
  exitCode: number;
}

/** Steps needed for the targets, dependencies first; unknown targets and cycles are one-line errors. */
export function planOrder(steps: PipelineStep[], targets: string[]): string[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    const step = byName.get(name);
    if (!step) {
      const from = path.length ? ` (needed by ${path[path.length - 1]})` : "";
      throw new SeamError(`unknown target: ${name}${from}`, {
        hint: `known targets: ${steps.map((s) => s.name).join(", ")}`,
        exitCode: EXIT.usage,
      });
    }
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting")
      throw new SeamError(`dependency cycle: ${[...path.slice(path.indexOf(name)), name].join(" → ")}`, {
        exitCode: EXIT.usage,
      });
    state.set(name, "visiting");
    for (const d of step.deps) visit(d, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const t of targets) visit(t, []);
  return order;
}

/** The content hash of a step's inputs: file bytes, tool digests, options. */
export function hashInputs(inputs: StepInputs, root: string): string {
  const files = [...new Set(inputs.files)]
    .sort()
    .map((f) => [relative(root, f), existsSync(f) ? sha256(readFileSync(f)) : "absent"]);
  const tools = [...new Set(inputs.tools)].sort().map((t) => {
    if (!existsSync(t)) return [t, "absent"];
    const st = statSync(t);
    return [t, st.size, st.mtimeMs];
  });
  return sha256(JSON.stringify({ files, tools, options: inputs.options ?? null }));
}

export interface PipelineOptions {
  root: string;
  stampDir: string;
  jobs: number;
  force: boolean;
  dryRun: boolean;
  keepGoing: boolean;
  signal: AbortSignal;
  /** Whole lines, never interleaved mid-line. */
  write: (line: string) => void;
}

interface Stamp {
  inputs: string;
  at: string;
  ms: number;
}

function readStamp(path: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}

/** What one pipeline run shares between its steps. */
interface RunState {
  o: PipelineOptions;
  outcomes: Map<string, StepOutcome>;
  finished: Map<string, Promise<StepOutcome>>;
  limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** A step failed without --keep-going: steps not yet started are skipped. */
  stop: boolean;
}

type Done = (status: StepStatus, note: string, exitCode?: number) => StepOutcome;

/** Runs a step that must run (its slot taken): its stamp goes first, and comes back only on success. */
async function execute(
  st: RunState,
  step: PipelineStep,
  stampPath: string,
  hash: string | undefined,
  done: Done,
  started: number,
): Promise<StepOutcome> {
  const { o } = st;
  rmSync(stampPath, { force: true }); // a step that starts and does not finish leaves no stamp
  try {
    const r = await step.run({ log: (line) => o.write(`[${step.name}] ${line}`), signal: o.signal });
    if (o.signal.aborted) return done("interrupted", "stopped by signal", 130);
    if (!r.ok) {
      if (!o.keepGoing) st.stop = true;
      return done("failed", r.note, r.exitCode ?? EXIT.fail);
    }
    if (hash)
      atomicWriteJson(stampPath, {
        inputs: hash,
        at: new Date().toISOString(),
        ms: Math.round(performance.now() - started),
      } satisfies Stamp);
    return done("ran", r.note);
  } catch (err) {
    if (o.signal.aborted) return done("interrupted", "stopped by signal", 130);
    if (!o.keepGoing) st.stop = true;
    const e = err as SeamError;
    return done("failed", e.message?.split("\n")[0] ?? String(err), e.exitCode ?? EXIT.fail);
  }
}

/** One step: after its dependencies, skipped, up to date, a dry run, or run in its turn. */
async function runStep(st: RunState, step: PipelineStep): Promise<StepOutcome> {
  const { o } = st;
  const depOutcomes = await Promise.all(step.deps.map((d) => st.finished.get(d)!));
  const started = performance.now();
  const done: Done = (status, note, exitCode = 0) => {
    const out = { name: step.name, status, note, ms: Math.round(performance.now() - started), exitCode };
    st.outcomes.set(step.name, out);
    return out;
  };
  const halted = () =>
    o.signal.aborted
      ? done("interrupted", "not started")
      : st.stop
        ? done("skipped", "an earlier step failed")
        : undefined;
  const badDep = depOutcomes.find(
    (d) => d.status === "failed" || d.status === "interrupted" || (d.status === "skipped" && d.exitCode !== 0),
  );
  if (badDep) return done("skipped", `because ${badDep.name} ${badDep.status}`, badDep.exitCode || EXIT.fail);
  const early = halted();
  if (early) return early;
  const reason = step.skipReason?.();
  if (reason) return (o.write(`[${step.name}] skipped: ${reason}`), done("skipped", reason));
  const stampPath = join(o.stampDir, `${step.name}.json`);
  const inputs = step.inputs ? await step.inputs() : undefined;
  const hash = inputs ? hashInputs(inputs, o.root) : undefined;
  const outputsThere = (step.outputs ?? []).every((p) => existsSync(p));
  if (!o.force && hash && outputsThere && readStamp(stampPath)?.inputs === hash) {
    o.write(`[${step.name}] up to date (inputs unchanged since its last success)`);
    return done("up-to-date", "inputs unchanged");
  }
  o.write(`[${step.name}] $ ${step.command}`);
  if (o.dryRun) return done("would run", step.command);
  // The pipeline may have stopped while this step waited for a slot.
  return st.limit(async () => halted() ?? execute(st, step, stampPath, hash, done, started));
}

/** Runs the targets and their dependencies: parallel up to -j, stamps on success, an outcome for each. */
export async function runPipeline(
  steps: PipelineStep[],
  targets: string[],
  o: PipelineOptions,
): Promise<StepOutcome[]> {
  const order = planOrder(steps, targets);
  const byName = new Map(steps.map((s) => [s.name, s]));
  const st: RunState = { o, outcomes: new Map(), finished: new Map(), limit: limiter(o.jobs), stop: false };
  for (const name of order) st.finished.set(name, runStep(st, byName.get(name)!));
  await Promise.all(st.finished.values());
  return order.map((n) => st.outcomes.get(n)!);
}

/** The summary table: step, status, time, note. */
export function summaryTable(outcomes: StepOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.name,
    o.status === "skipped" ? `skipped` : o.status,
    `${(o.ms / 1000).toFixed(2)} s`,
    o.note,
  ]);
  const widths = [4, 6, 4].map((min, i) => Math.max(min, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c))
      .join("  ")
      .trimEnd();
  return [line(["step", "status", "time", "note"]), ...rows.map(line)].join("\n");
}

/** Exit code of the first failure in pipeline order, or 0. */
export function exitCodeOf(outcomes: StepOutcome[]): number {
  return (
    outcomes.find(
      (o) => o.status === "failed" || o.status === "interrupted" || (o.status === "skipped" && o.exitCode !== 0),
    )?.exitCode ?? EXIT.ok
  );
}
