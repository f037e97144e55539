/**
 * render — findings.md, and the short list the PR comment shows before the row table. Guest-free text
 * (kiln's signatures, meld's messages and seam's own words): findings.md keeps it copyable, the comment's
 * list is made inert for GitHub. Pure; used by lib/tierc/write.ts and
 * lib/comment/tierc-section.ts.
 */
import { escapeControl, mdFence, mdInert } from "../../core/render.ts";
import type { Finding, FindingsReport } from "./group.ts";

const rowList = (f: Finding) =>
  f.rows.map((x) => `${x.fixture} (${x.mode}, ${x.form}${x.build ? `, ${x.build}` : ""})`).join(", ");

function findingSection(f: Finding, i: number): string[] {
  return [
    `## ${i + 1}. ${escapeControl(f.issue.title)}`,
    "",
    `- whose: **${f.whose}** — file on [${f.tracker}](https://github.com/${f.tracker}/issues)`,
    `- form: ${[...new Set(f.rows.map((x) => x.form))].join(", ")}; stage: ${f.stage}`,
    `- ${f.whose === "kiln" && f.kind.startsWith("[") ? "signature (normalised)" : "kind of difference"}: \`${f.kind.replace(/`/g, "'")}\``,
    `- rows (${f.rows.length}): ${rowList(f)}`,
    `- representative bundle (smallest input): ${f.representative ? `\`${f.representative}\`` : "none"}`,
    `- ledger: ${f.known ? `known — ${escapeControl(f.known)}` : "**not known**: file it, then add it to the known-blocker ledger"}`,
    "",
    "Issue body, ready to paste:",
    "",
    mdFence(f.issue.body, "markdown"),
    "",
  ];
}

export function renderFindingsMarkdown(r: FindingsReport): string {
  const unknown = r.findings.filter((f) => !f.known).length;
  return [
    "# tier-c findings, by root cause",
    "",
    `kilnd ${r.kilnd} · meld ${r.meld}. ${r.failingRows} failing row${r.failingRows === 1 ? "" : "s"} make ${r.findings.length} finding${r.findings.length === 1 ? "" : "s"}, ${unknown} not in the known-blocker ledger. Rows that fail in the same stage with the same normalised signature (or the same kind of difference) share one; each names the bundle of its smallest input.`,
    "",
    ...r.findings.flatMap(findingSection),
  ].join("\n");
}

/** The comment's list: one line per finding, unknown ones first. */
export function renderFindingsList(r: FindingsReport): string {
  if (!r.findings.length) return "";
  const lines = r.findings.map(
    (f) =>
      `- ${f.known ? "🟡" : "❗"} **${f.whose}** (${f.tracker}): ${mdInert(f.issue.title)} — ${f.rows.length} row${f.rows.length === 1 ? "" : "s"}${f.representative ? `, bundle \`${f.representative}\`` : ""}${f.known ? ` — known: ${mdInert(f.known.split(":")[0]!)}` : ""}`,
  );
  return [
    `**Findings** (${r.findings.length} root causes for ${r.failingRows} failing rows; findings.md has the issue texts)`,
    "",
    ...lines,
  ].join("\n");
}
