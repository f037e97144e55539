/**
 * tierc-report — the schema of out/tier-c/results.json and its markdown rendering (the table a PR
 * comment shows). Shared by tier-c.ts (writes it) and post-comment.ts (renders it); no I/O here.
 */
import { mdTable } from "./render.ts";

export const TIERC_SCHEMA = "seam.tier-c/1";

/** One word per fixture × memory mode: what happened at the seam. */
export type Verdict =
  | "pass"
  | "seam-bug"
  | "meld-bug"
  | "kiln-unsupported"
  | "fuse-refused"
  | "skipped"
  | "expected-fail"
  | "blocker-moved"
  | "xpass"
  | "reference-fail";

/** How a verdict stands against the known-blocker ledger: decides the exit code. */
export type Outcome = "ok" | "expected" | "unexpected" | "moved" | "xpass";

export type Step = "reference(original)" | "kiln(original)" | "fuse" | "reference(fused)" | "kiln(fused)";

export interface Cell {
  step: Step;
  /** run verdict (passed/failed/…), fuse verdict (fused/refused/…), or "skipped". */
  status: string;
  /** Did the cell meet the fixture's expectation (null when not run). */
  ok: boolean | null;
  detail: string;
  signature?: string;
  ms: number;
  cached: boolean;
}

export interface BlockerRef {
  ref: string;
  title: string;
  /** The signature the ledger expects, as kiln prints it. */
  expected: string;
}

export interface Row {
  fixture: string;
  mode: "multi" | "shared";
  verdict: Verdict;
  outcome: Outcome;
  /** One line: why this verdict. */
  why: string;
  cells: Cell[];
  blocker?: BlockerRef;
  /** The kiln(fused) signature actually seen, as kiln prints it. */
  actualSignature?: string;
  /** Repro bundle folder, relative to the report's folder. */
  bundle?: string;
  reproduced?: "same signature" | "not reproducible" | "not run";
}

export interface TierCReport {
  schema: typeof TIERC_SCHEMA;
  generatedAt: string;
  tools: {
    meld: { version: string; path: string } | null;
    kilnd: { version: string; path: string } | null;
    reference: { engine: string; version: string } | null;
  };
  options: { memory: string[]; fixtures: string[]; shard?: string; strict: boolean };
  rows: Row[];
  counts: Partial<Record<Verdict, number>>;
  /** Lines a reader must not miss (xpass, blocker moved, missing tools). */
  notices: string[];
  exitCode: number;
}

export function isTierCReport(x: unknown): x is TierCReport {
  return typeof x === "object" && x !== null && (x as { schema?: unknown }).schema === TIERC_SCHEMA && Array.isArray((x as TierCReport).rows);
}

const ICON: Record<Verdict, string> = {
  pass: "✅",
  "seam-bug": "❌",
  "meld-bug": "❌",
  "kiln-unsupported": "➖",
  "fuse-refused": "➖",
  skipped: "⏭️",
  "expected-fail": "🟡",
  "blocker-moved": "❗",
  xpass: "🎉",
  "reference-fail": "❌",
};

/** The headline status of a report in one line. */
export function statusLine(r: TierCReport): string {
  const total = r.rows.length;
  const pass = r.counts.pass ?? 0;
  const bad = r.rows.filter((x) => x.outcome === "unexpected" || x.outcome === "moved").length;
  if (bad > 0) return `❌ **${bad}** of ${total} seam cells need attention (${pass} pass)`;
  const skipped = r.counts.skipped ?? 0;
  if (skipped === total && total > 0) return `⏭️ all ${total} seam cells skipped (see notices)`;
  return `✅ **${pass}/${total}** seam cells pass; the rest are known or out of scope`;
}

/** Markdown for a PR comment or step summary: status, counts, the table, notices. No marker line. */
export function renderTierCMarkdown(r: TierCReport, opts: { runUrl?: string; bundleBaseUrl?: string } = {}): string {
  const counts = Object.entries(r.counts)
    .filter(([, n]) => n)
    .map(([v, n]) => `${ICON[v as Verdict]} ${v}: ${n}`)
    .join(" · ");
  const table = mdTable(
    ["fixture", "memory", "verdict", "why", "repro"],
    r.rows.map((row) => [
      row.fixture,
      row.mode,
      `${ICON[row.verdict]} ${row.verdict}${row.blocker ? ` (${row.blocker.ref})` : ""}`,
      row.why,
      row.bundle ? (opts.bundleBaseUrl ? `[${row.bundle}](${opts.bundleBaseUrl}/${row.bundle})` : `\`${row.bundle}\``) + (row.reproduced ? ` — ${row.reproduced}` : "") : "",
    ]),
  );
  const t = r.tools;
  const toolLine = `meld ${t.meld?.version ?? "absent"} · kilnd ${t.kilnd?.version ?? "absent"} · reference ${t.reference ? `${t.reference.engine} ${t.reference.version}` : "absent"}`;
  return [
    "## meld → kiln seam (Tier C)",
    "",
    statusLine(r),
    "",
    counts,
    "",
    table,
    "",
    ...(r.notices.length ? ["**Notices**", "", ...r.notices.map((n) => `- ${n}`), ""] : []),
    `<sub>${toolLine}${opts.runUrl ? ` · [run](${opts.runUrl})` : ""}</sub>`,
    "",
  ].join("\n");
}
