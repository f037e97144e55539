/**
 * render — how a loss-scenario gate report is shown: the markdown body a sticky PR comment and
 * $GITHUB_STEP_SUMMARY show (lib/comment/body.ts, scripts/ls-gate.ts), and the console list ls-gate
 * prints, ending with its `N passed, N failed, N skipped` line. Pure.
 */
import { color } from "../core/cli.ts";
import { mdCode, mdText } from "../core/render.ts";
import type { LsBucket, LsGateReport, LsIdResult, LsTest } from "./report.ts";
import { prefixOf, type ScenarioSet } from "./scenarios.ts";

// ---------------------------------------------------------------------------------------------------------
// Markdown (the comment and step-summary body)

/** The one-line verdict, in upstream's shape (✅ all verified / ⚠️ only gaps / ❌ failures). */
export function lsStatusLine(r: LsGateReport): string {
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
  const tests = r.tests.filter(showTests).map((t) => mdCode(t.name) + (t.binary ? ` in ${mdCode(t.binary)}` : ""));
  const why = r.reason ? ` — ${mdText(r.reason)}` : "";
  return `- **${mdText(r.id)}** ${mdText(r.title)}${why}` + (tests.length ? `: ${tests.join(", ")}` : "");
}

/** The comment / step-summary body. No marker line: post-comment.ts adds its own. */
export function renderLsGateMarkdown(r: LsGateReport, opts: { runUrl?: string } = {}): string {
  const byBucket = (b: LsBucket) => r.ids.filter((i) => i.bucket === b);
  const out: string[] = ["## LS verification gate", "", lsStatusLine(r), ""];
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
      r.orphans.map((t) => `- ${mdCode(t)}`),
    ),
    ...details(
      `Tests for non-approved IDs (${r.non_approved_tests.length})`,
      r.non_approved_tests.map((n) => `- **${mdText(n.id)}**: ${n.tests.map(mdCode).join(", ")}`),
    ),
    ...details(
      `Prefix collisions (${r.collisions.length})`,
      r.collisions.map(
        (c) =>
          `- ${mdCode(prefixOf(c.id))} (${mdText(c.id)}) is part of ${mdCode(prefixOf(c.shadowedBy))} (${mdText(c.shadowedBy)}): a substring match counts ${mdText(c.shadowedBy)}'s tests for ${mdText(c.id)} too`,
      ),
    ),
  );
  const tail = [`Runner: ${mdCode(r.runner.command)}`];
  if (r.compat) tail.push("upstream-compatible buckets (`--compat`: ignored-only counts as passed)");
  if (opts.runUrl) tail.push(`[workflow run](${opts.runUrl})`);
  out.push(tail.join(" · "));
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------
// Console

/** `N passed, N failed, N skipped` for every test read; a runner error counts as one failure. */
export function countLine(r: LsGateReport): string {
  const t = r.tests_read ?? { passed: 0, failed: 0, ignored: 0 };
  return `${t.passed} passed, ${t.failed + (r.runner_error ? 1 : 0)} failed, ${t.ignored} skipped`;
}

/** One ID's console line: its bucket, as a tag, and its test counts. */
function consoleIdLine(i: LsIdResult): string {
  const n = { passed: 0, failed: 0, ignored: 0 };
  for (const t of i.tests) n[t.outcome]++;
  const ign = n.ignored ? `, ${n.ignored} ignored` : "";
  if (i.reason) return `${color.red("[FAIL]")} ${i.id} (${i.reason})`;
  if (i.bucket === "passed") return `${color.green("[ OK ]")} ${i.id} (${n.passed} pass${ign})`;
  if (i.bucket === "failed") return `${color.red("[FAIL]")} ${i.id} (${n.passed} pass, ${n.failed} fail${ign})`;
  if (i.bucket === "ignored") return `${color.yellow("[IGN ]")} ${i.id} (${n.ignored} ignored, none ran: not verified)`;
  return `${color.yellow("[MISS]")} ${i.id} (no \`${i.prefix}*\` test found)`;
}

/** The lists under the IDs: failing tests, orphans, tests of non-approved IDs, prefix collisions. */
function consoleSections(r: LsGateReport): string[] {
  const section = (title: string, lines: string[]) => (lines.length ? ["", title, ...lines.map((l) => `  ${l}`)] : []);
  const failing = r.ids.flatMap((i) =>
    i.tests.filter((t) => t.outcome === "failed").map((t) => `${i.id}: ${t.name}${t.binary ? ` (${t.binary})` : ""}`),
  );
  const collision = (c: LsGateReport["collisions"][number]) =>
    `${c.id} (${prefixOf(c.id)}) is a substring of ${c.shadowedBy} (${prefixOf(c.shadowedBy)})${r.compat ? ": its tests count for both" : ""}`;
  return [
    ...section("failing tests:", failing),
    ...section("orphan LS tests (match no ID in the file — a typo?):", r.orphans),
    ...section(
      "tests for non-approved IDs:",
      r.non_approved_tests.map((n) => `${n.id}: ${n.tests.join(", ")}`),
    ),
    ...section("prefix collisions:", r.collisions.map(collision)),
  ];
}

/** What ls-gate prints: the scenarios and runner, one line per approved ID, the lists, a summary, the count line. */
export function renderConsole(r: LsGateReport, scenarios: ScenarioSet, results?: string): string {
  const entries = scenarios.approved.length + scenarios.others.length;
  const out: string[] = [
    "== seam LS verification gate ==",
    `scenarios: ${scenarios.path} (${scenarios.approved.length} approved of ${entries})`,
    `runner:    ${r.runner.command}`,
    "",
    ...r.ids.map(consoleIdLine),
    ...consoleSections(r),
  ];
  if (r.runner_error)
    out.push("", color.red(`runner error: ${r.runner_error.message}`), ...r.runner_error.detail.map((l) => `  | ${l}`));
  out.push(
    "",
    "== summary ==",
    `passed:  ${r.passed_count}`,
    `failed:  ${r.failed_count}`,
    `missing: ${r.missing_count}`,
    `ignored: ${r.ignored_count}${r.compat ? " (--compat: ignored-only IDs count as passed)" : ""}`,
  );
  if (results) out.push(`results: ${results}`);
  out.push(countLine(r));
  return out.join("\n") + "\n";
}
