/**
 * report — the schema of out/tier-c/results.json (rows, cells, verdicts, tools) and assembling a report
 * from rows. Pure: writing and merging reports is lib/tierc/write.ts, showing one lib/tierc/render.ts.
 * Written by tier-c (lib/tierc/rows.ts); read by lib/compare/ and lib/comment/body.ts (post-comment.ts).
 */
import { EXIT, usageError } from "../core/errors.ts";
import { SCHEMAS, type Form, type MemoryMode } from "../engines/records.ts";
import type { ReportDiff } from "../compare/types.ts";

/** The verdicts, one word per fixture × memory mode × form for what happened at the seam, each with the icon
 * the tables show. What each means: the README's glossary ("Reading the tier-c table"), which a test holds
 * to this list. */
export const VERDICT_ICONS = {
  pass: "✅",
  "seam-bug": "❌",
  "meld-bug": "❌",
  unattributed: "❓",
  "kiln-unsupported": "➖",
  "fuse-refused": "➖",
  skipped: "⏭️",
  "expected-fail": "🟡",
  "blocker-moved": "❗",
  xpass: "🎉",
  "reference-fail": "❌",
  fault: "⚠️",
} as const;

export type Verdict = keyof typeof VERDICT_ICONS;

/** How a verdict stands against the known-blocker ledger: decides the exit code. */
export type Outcome = "ok" | "expected" | "unexpected" | "moved" | "xpass";

/** The five cells of a row, in order. */
export type CellStep = "reference(original)" | "kiln(original)" | "fuse" | "reference(fused)" | "kiln(fused)";

export interface Cell {
  step: CellStep;
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

/** One `--invoke` call of a row: the expected result (the reference's own, on the original) and what each
 * engine cell returned. */
export interface CallResult {
  call: string;
  expected: string;
  actual: Partial<Record<CellStep, string>>;
}

export interface Row {
  fixture: string;
  mode: MemoryMode;
  form: Form;
  /** The build's label, when one run covered several kilnd or meld builds. */
  build?: string;
  verdict: Verdict;
  outcome: Outcome;
  /** One line: why this verdict. */
  why: string;
  /** What separated meld from kiln: the reference run it rests on, or "none: …". */
  evidence?: string;
  cells: Cell[];
  blocker?: BlockerRef;
  /** The kiln(fused) signature actually seen, as kiln prints it. */
  actualSignature?: string;
  /** Repro bundle folder, relative to the report's folder. */
  bundle?: string;
  reproduced?: "same signature" | "not reproducible" | "not run";
  /** Each call of an invoke fixture, reported one by one. */
  calls?: CallResult[];
}

/** A tool as the report names it; sha256 identifies builds that print no version (kilnd 0.4.4). */
export interface ToolRef {
  version: string;
  path: string;
  sha256?: string;
}

export interface TierCReport {
  schema: typeof SCHEMAS.tierC;
  generatedAt: string;
  tools: {
    meld: ToolRef | null;
    kilnd: ToolRef | null;
    reference: { engine: string; version: string } | null;
    /** The digest of seam's own code that produced these results. */
    seam?: { code: string };
  };
  options: { memory: string[]; forms?: string[]; fixtures: string[]; shard?: string; strict: boolean };
  rows: Row[];
  /** Set when one run covered several kilnd or meld builds: each row names its build. */
  builds?: { label: string; kilnd: ToolRef | null; meld: ToolRef | null }[];
  /** What each build after the first changes, compared with the first. */
  buildDiffs?: ReportDiff[];
  counts: Partial<Record<Verdict, number>>;
  /** Lines a reader must not miss (xpass, blocker moved, missing tools). */
  notices: string[];
  exitCode: number;
  /** What changed since a base run (tier-c --baseline); lib/compare/compare.ts. */
  diff?: ReportDiff;
  /** Set (to the signal's name) when the run was interrupted: its rows are not all judged, and compare and
   * post-comment refuse these results unless told to accept them (--accept-interrupted). */
  interrupted?: string;
}

/** The flag that lets compare and post-comment read the results of an interrupted run. */
export const ACCEPT_INTERRUPTED = "--accept-interrupted";

/** Refuses results an interrupted run wrote (`interrupted`), unless `accept`: one line, exit 2. */
export function refuseInterrupted(file: string, report: { interrupted?: unknown }, accept = false): void {
  if (accept || report.interrupted === undefined) return;
  throw usageError(
    `${file}: results of a run interrupted by ${String(report.interrupted)}: not every row was judged`,
    `run tier-c again to the end, or pass ${ACCEPT_INTERRUPTED} to use them as they are`,
  );
}

export function isTierCReport(x: unknown): x is TierCReport {
  return (
    typeof x === "object" &&
    x !== null &&
    SCHEMAS.tierCReadable.includes((x as { schema?: string }).schema ?? "") &&
    Array.isArray((x as TierCReport).rows)
  );
}

/** Assembles a report from rows: sorted rows, counts, the notices a reader must see, the exit code. */
export function buildTierCReport(
  rows: Row[],
  tools: TierCReport["tools"],
  options: TierCReport["options"],
  notices: string[],
): TierCReport {
  const sorted = [...rows].sort(
    (a, b) =>
      a.fixture.localeCompare(b.fixture) || a.mode.localeCompare(b.mode) || (a.form ?? "").localeCompare(b.form ?? ""),
  );
  const counts: Partial<Record<Verdict, number>> = {};
  for (const r of sorted) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  const loud = sorted.filter((r) => r.outcome === "xpass" || r.outcome === "moved").map((r) => r.why);
  const bad = sorted.some(
    (r) => r.outcome === "unexpected" || r.outcome === "moved" || (options.strict && r.outcome === "xpass"),
  );
  return {
    schema: SCHEMAS.tierC,
    generatedAt: new Date().toISOString(),
    tools,
    options,
    rows: sorted,
    counts,
    notices: [...new Set([...notices, ...loud])],
    exitCode: bad ? EXIT.fail : EXIT.ok,
  };
}
