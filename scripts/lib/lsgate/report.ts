/**
 * report — the results of the loss-scenario verification gate (scripts/ls-gate.ts): their schema, its
 * structural check, and how the tests one run read become a report (which tests count for which ID, each
 * ID's bucket, the exit code). Written by ls-gate.ts; read by lib/comment/body.ts (post-comment.ts). The
 * JSON is a superset of meld's `verification-results.json`: the upstream keys keep their names and
 * meaning, seam adds the rest. Pure.
 */
import { EXIT } from "../core/errors.ts";
import { findCollisions, type Scenario, type ScenarioSet } from "./scenarios.ts";
import type { ReadTest, RunnerOutput } from "./libtest.ts";
import { SCHEMAS } from "../engines/records.ts";

/** The runners the gate reads: `cargo test`, `bun test`, or JUnit reports another command wrote. */
export const RUNNER_KINDS = ["cargo", "bun", "junit"] as const;
export type RunnerKind = (typeof RUNNER_KINDS)[number];

/** passed: ≥ 1 matching test passed, none failed · failed · missing: nothing matched · ignored: only ignored tests matched. */
export type LsBucket = "passed" | "failed" | "missing" | "ignored";

export interface LsTest {
  /** The test's full path as the runner names it (`tests::ls_a_1_x`, `scripts/x.test.ts > ls_g_1_y`). */
  name: string;
  /** The test binary or file it ran in (`ls_demo` lib, `integration`, `doctests`, a JUnit suite). */
  binary?: string;
  outcome: "passed" | "failed" | "ignored";
  ms?: number;
}

export interface LsIdResult {
  id: string;
  title: string;
  /** libtest filter derived as upstream does: `LS-A-11` → `ls_a_11_`. */
  prefix: string;
  bucket: LsBucket;
  tests: LsTest[];
  /** Why the bucket differs from what the tests alone say (e.g. the runner crashed). */
  reason?: string;
}

export interface LsGateReport {
  schema: typeof SCHEMAS.lsGate;
  // upstream verification-results.json keys, same meaning:
  total: number;
  passed_count: number;
  failed_count: number;
  missing_count: number;
  passed: string[];
  failed: string[];
  missing: string[];
  // seam's additions:
  ignored_count: number;
  ignored: string[];
  /** True when buckets follow upstream's rules exactly (ignored-only counts as passed). */
  compat: boolean;
  runner: { kind: RunnerKind; command: string };
  ids: LsIdResult[];
  /** `ls_*` test names that match no approved ID (typos such as `ls_a_1l_`). */
  orphans: string[];
  /** Tests whose prefix belongs to an ID that is in the file but not approved. */
  non_approved_tests: { id: string; tests: string[] }[];
  /** An ID whose prefix is shadowed: a test of `shadowedBy` could also be read as one of `id`. */
  collisions: { id: string; shadowedBy: string }[];
  exit_code: number;
  /** Set when the runner did not build, crashed, hung or wrote nothing readable: the gate fails closed. */
  runner_error?: { message: string; detail: string[] };
  /** Counts of every test the gate read (not only LS tests). */
  tests_read?: { passed: number; failed: number; ignored: number };
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const BUCKETS: readonly string[] = ["passed", "failed", "missing", "ignored"];
const OUTCOMES: readonly string[] = ["passed", "failed", "ignored"];

function isTest(v: unknown): v is LsTest {
  return (
    isObj(v) &&
    isStr(v.name) &&
    (v.binary === undefined || isStr(v.binary)) &&
    isStr(v.outcome) &&
    OUTCOMES.includes(v.outcome) &&
    (v.ms === undefined || (typeof v.ms === "number" && v.ms >= 0))
  );
}

function isIdResult(v: unknown): v is LsIdResult {
  return (
    isObj(v) &&
    isStr(v.id) &&
    isStr(v.title) &&
    isStr(v.prefix) &&
    isStr(v.bucket) &&
    BUCKETS.includes(v.bucket) &&
    Array.isArray(v.tests) &&
    v.tests.every(isTest) &&
    (v.reason === undefined || isStr(v.reason))
  );
}

/** Structural check of a parsed results file, including that each count matches its list. */
export function isLsGateReport(x: unknown): x is LsGateReport {
  if (!isObj(x) || x.schema !== SCHEMAS.lsGate) return false;
  for (const b of BUCKETS) {
    const list = x[b];
    if (!isStrArr(list) || !isCount(x[`${b}_count`]) || x[`${b}_count`] !== list.length) return false;
  }
  const runner = x.runner;
  const err = x.runner_error;
  const read = x.tests_read;
  return (
    isCount(x.total) &&
    typeof x.compat === "boolean" &&
    isObj(runner) &&
    isStr(runner.kind) &&
    (RUNNER_KINDS as readonly string[]).includes(runner.kind) &&
    isStr(runner.command) &&
    Array.isArray(x.ids) &&
    x.ids.every(isIdResult) &&
    isStrArr(x.orphans) &&
    Array.isArray(x.non_approved_tests) &&
    x.non_approved_tests.every((n) => isObj(n) && isStr(n.id) && isStrArr(n.tests)) &&
    Array.isArray(x.collisions) &&
    x.collisions.every((c) => isObj(c) && isStr(c.id) && isStr(c.shadowedBy)) &&
    isCount(x.exit_code) &&
    (err === undefined || (isObj(err) && isStr(err.message) && isStrArr(err.detail))) &&
    (read === undefined || (isObj(read) && isCount(read.passed) && isCount(read.failed) && isCount(read.ignored)))
  );
}

// ---------------------------------------------------------------------------------------------------------
// Building a report from one run (pure)

export interface GateOptions {
  scenarios: ScenarioSet;
  runner: RunnerKind;
  compat: boolean;
  command: string;
}

/** `prefix` occurs in `text` where no letter or digit comes right before it (`test_ls_a_1_x` yes, `tools_a_1_x` no). */
function containsAtBoundary(text: string, prefix: string): boolean {
  for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
    if (at === 0 || !/[A-Za-z0-9]/.test(text[at - 1]!)) return true;
  }
  return false;
}

/** Looks like a loss-scenario test whatever ID it names: `ls_a_1l_`, `ls_g1_`, `LS-G-1 …`. */
const LS_LIKE = /(?<![A-Za-z0-9])ls[_-][a-z]+[_-]?\d/i;

/**
 * IDs a test counts for. Upstream (compat): every ID whose prefix is a substring of the test path.
 * Strict: the prefix must start at a name boundary, and when `ls_b_1_` and `ls_b_1_2_` both match, only
 * the longer (more specific) one counts.
 */
export function idsForTest(match: string, all: Scenario[], compat: boolean): Scenario[] {
  if (compat) return all.filter((s) => match.includes(s.prefix));
  const hits = all.filter((s) => containsAtBoundary(match, s.prefix));
  return hits.filter(
    (s) => !hits.some((o) => o !== s && o.prefix.length > s.prefix.length && o.prefix.startsWith(s.prefix)),
  );
}

export function bucketOf(tests: LsTest[], compat: boolean): LsBucket {
  if (tests.some((t) => t.outcome === "failed")) return "failed";
  if (tests.some((t) => t.outcome === "passed")) return "passed";
  if (tests.length > 0) return compat ? "passed" : "ignored";
  return "missing";
}

/** Each scenario's tests, and the LS-looking tests that match no scenario in the file. */
function matchTests(all: Scenario[], tests: ReadTest[], compat: boolean) {
  const testsOf = new Map<Scenario, LsTest[]>(all.map((s) => [s, []]));
  const orphans: string[] = [];
  for (const t of tests) {
    const hits = idsForTest(t.match, all, compat);
    const test: LsTest = {
      name: t.name,
      ...(t.binary ? { binary: t.binary } : {}),
      outcome: t.outcome,
      ...(t.ms !== undefined ? { ms: t.ms } : {}),
    };
    for (const s of hits) testsOf.get(s)!.push(test);
    if (hits.length === 0 && LS_LIKE.test(t.match)) orphans.push(t.name);
  }
  return { testsOf, orphans };
}

/** The exit code the rules in ls-gate's header give: failures 1, gaps 2 (with --compat only missing), else 0. */
function gateExitCode(run: RunnerOutput, ids: LsIdResult[], orphans: string[], compat: boolean): number {
  const has = (b: LsBucket) => ids.some((i) => i.bucket === b);
  if (run.error || has("failed") || run.tests.some((t) => t.outcome === "failed")) return EXIT.fail;
  if (has("missing") || (!compat && (has("ignored") || orphans.length))) return EXIT.usage;
  return EXIT.ok;
}

/** Turns the tests one run read into the gate's report; the exit code follows the rules in ls-gate's header. */
export function buildLsReport(opts: GateOptions, run: RunnerOutput): LsGateReport {
  const { scenarios, compat } = opts;
  const { testsOf, orphans } = matchTests([...scenarios.approved, ...scenarios.others], run.tests, compat);
  const ids: LsIdResult[] = scenarios.approved.map((s) => {
    const tests = testsOf.get(s)!;
    const bucket = bucketOf(tests, compat);
    const r: LsIdResult = { id: s.id, title: s.title, prefix: s.prefix, bucket, tests };
    if (run.error && bucket !== "failed") {
      r.bucket = "failed";
      r.reason = "not verified: the test run did not complete";
    }
    return r;
  });
  const list = (b: LsBucket) => ids.filter((i) => i.bucket === b).map((i) => i.id);
  const [passed, failed, missing, ignored] = [list("passed"), list("failed"), list("missing"), list("ignored")];
  const tests_read = { passed: 0, failed: 0, ignored: 0 };
  for (const t of run.tests) tests_read[t.outcome]++;
  return {
    schema: SCHEMAS.lsGate,
    total: ids.length,
    passed_count: passed.length,
    failed_count: failed.length,
    missing_count: missing.length,
    passed,
    failed,
    missing,
    ignored_count: ignored.length,
    ignored,
    compat,
    runner: { kind: opts.runner, command: opts.command },
    ids,
    orphans,
    non_approved_tests: scenarios.others
      .filter((s) => testsOf.get(s)!.length > 0)
      .map((s) => ({ id: s.id, tests: testsOf.get(s)!.map((t) => t.name) })),
    collisions: findCollisions(scenarios),
    exit_code: gateExitCode(run, ids, orphans, compat),
    ...(run.error ? { runner_error: run.error } : {}),
    tests_read,
  };
}
