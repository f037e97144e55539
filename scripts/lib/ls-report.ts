/**
 * ls-report — the results schema of the loss-scenario verification gate (scripts/ls-gate.ts) and the
 * markdown body a sticky PR comment and $GITHUB_STEP_SUMMARY show.
 * Written by ls-gate.ts; read by lib/comment-body.ts (post-comment.ts). The JSON is a superset of meld's
 * `verification-results.json`: the upstream keys keep their names and meaning, seam adds the rest.
 */

export const LS_GATE_SCHEMA = "seam.ls-gate/1";

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
  schema: typeof LS_GATE_SCHEMA;
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
  runner: { kind: "cargo" | "bun" | "junit"; command: string };
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

/** meld's derivation, kept byte-identical: lower-case, `-` → `_`, one trailing `_` (`LS-A-11` → `ls_a_11_`). */
export function prefixOf(id: string): string {
  return id.toLowerCase().replace(/-/g, "_") + "_";
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
  if (!isObj(x) || x.schema !== LS_GATE_SCHEMA) return false;
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
    (runner.kind === "cargo" || runner.kind === "bun" || runner.kind === "junit") &&
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

/** Text that goes into markdown prose: HTML and markdown syntax characters are escaped. */
function mdText(s: string): string {
  // `_` inside a word (ls_a_11) cannot start emphasis on GitHub, so only word-edge underscores are escaped.
  return s
    .replace(/[\\`*[\]<>&|#]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`))
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_");
}

/** A code span that survives any content (backticks inside are replaced, newlines flattened). */
function code(s: string): string {
  return "`" + s.replace(/`/g, "'").replace(/\r?\n/g, " ") + "`";
}

function plural(n: number, one: string, many = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The one-line verdict, in upstream's shape (✅ all verified / ⚠️ only gaps / ❌ failures). */
export function statusLine(r: LsGateReport): string {
  const verified = `**${r.passed_count}/${r.total}** approved LS entries verified`;
  if (r.runner_error) return `❌ test runner failed: ${mdText(r.runner_error.message)} — no entry counts as verified`;
  if (r.total === 0) return "❌ no approved LS entries found — the gate verifies nothing";
  const gaps: string[] = [];
  if (r.failed_count) gaps.push(`**${r.failed_count}** failed`);
  if (r.missing_count) gaps.push(`**${r.missing_count}** missing regression tests`);
  if (r.ignored_count) gaps.push(`**${r.ignored_count}** with only ignored tests`);
  if (r.failed_count) return `❌ ${verified} — ${gaps.join(", ")}`;
  if (gaps.length) return `⚠️ ${verified} — ${gaps.join(", ")}`;
  return `✅ ${verified}`;
}

function details(summary: string, lines: string[]): string[] {
  return lines.length ? ["<details>", `<summary>${summary}</summary>`, "", ...lines, "", "</details>", ""] : [];
}

function idLine(r: LsIdResult, showTests: (t: LsTest) => boolean): string {
  const tests = r.tests.filter(showTests).map((t) => code(t.name) + (t.binary ? ` in ${code(t.binary)}` : ""));
  const why = r.reason ? ` — ${mdText(r.reason)}` : "";
  return `- **${mdText(r.id)}** ${mdText(r.title)}${why}` + (tests.length ? `: ${tests.join(", ")}` : "");
}

/** The comment / step-summary body. No marker line: post-comment.ts adds its own. */
export function renderLsGateMarkdown(r: LsGateReport, opts: { runUrl?: string } = {}): string {
  const byBucket = (b: LsBucket) => r.ids.filter((i) => i.bucket === b);
  const out: string[] = ["## LS verification gate", "", statusLine(r), ""];
  if (r.runner_error) {
    const detail = r.runner_error.detail.slice(0, 20).map((l) => l.replace(/```/g, "'''"));
    if (detail.length) out.push("```", ...detail, "```", "");
  }
  out.push(
    "| Result | Count |",
    "|---|---|",
    `| Passed | ${r.passed_count} |`,
    `| Failed | ${r.failed_count} |`,
    `| Missing | ${r.missing_count} |`,
    `| Ignored | ${r.ignored_count} |`,
    "",
  );
  out.push(
    ...details(
      `Failed (${r.failed_count})`,
      byBucket("failed").map((i) => idLine(i, (t) => t.outcome === "failed")),
    ),
    ...details(
      `Missing (${r.missing_count})`,
      byBucket("missing").map((i) => idLine(i, () => false)),
    ),
    ...details(
      `Only ignored tests (${r.ignored_count})`,
      byBucket("ignored").map((i) => idLine(i, () => true)),
    ),
    ...details(
      `Passed (${r.passed_count})`,
      byBucket("passed").map((i) => idLine(i, () => false)),
    ),
    ...details(
      `Orphan LS tests — match no approved ID (${r.orphans.length})`,
      r.orphans.map((t) => `- ${code(t)}`),
    ),
    ...details(
      `Tests for non-approved IDs (${r.non_approved_tests.length})`,
      r.non_approved_tests.map((n) => `- **${mdText(n.id)}**: ${n.tests.map(code).join(", ")}`),
    ),
    ...details(
      `Prefix collisions (${r.collisions.length})`,
      r.collisions.map(
        (c) =>
          `- ${code(prefixOf(c.id))} (${mdText(c.id)}) is part of ${code(prefixOf(c.shadowedBy))} (${mdText(c.shadowedBy)}): a substring match counts ${mdText(c.shadowedBy)}'s tests for ${mdText(c.id)} too`,
      ),
    ),
  );
  const tail = [`Runner: ${code(r.runner.command)}`];
  if (r.compat) tail.push("upstream-compatible buckets (`--compat`: ignored-only counts as passed)");
  if (opts.runUrl) tail.push(`[workflow run](${opts.runUrl})`);
  out.push(tail.join(" · "));
  return out.join("\n") + "\n";
}
