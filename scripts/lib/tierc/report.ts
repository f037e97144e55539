/**
 * tierc-report — the schema of out/tier-c/results.json, and building, writing and merging reports.
 * Written by tier-c (lib/tierc/rows.ts); rendered by lib/tierc/render.ts, read by lib/compare/compare.ts and
 * lib/comment/body.ts (post-comment.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { publishBundles, stageBundleCopy } from "./bundle/write.ts";
import { join } from "node:path";
import { atomicWrite, atomicWriteJson, shownPath } from "../core/fsx.ts";
import { SeamError, EXIT } from "../core/errors.ts";
import { appendStepSummary } from "../github/actions.ts";
import { renderTierCMarkdown, tierCJUnit } from "./render.ts";

/** How a report reads (lib/tierc/render.ts), for the modules that take a report and show it. */
export { renderTierCMarkdown, toolName } from "./render.ts";
import type { Form, MemoryMode } from "../engines/records.ts";
import type { ReportDiff } from "../compare/compare.ts";

/** /2: rows carry a `form`; tools carry sha256 identities. Readers accept /1 (form absent = component). */
export const TIERC_SCHEMA = "seam.tier-c/2";
export const TIERC_SCHEMAS = ["seam.tier-c/1", TIERC_SCHEMA];

/** One word per fixture × memory mode × form: what happened at the seam. */
export type Verdict =
  | "pass"
  | "seam-bug"
  | "meld-bug"
  | "unattributed"
  | "kiln-unsupported"
  | "fuse-refused"
  | "skipped"
  | "expected-fail"
  | "blocker-moved"
  | "xpass"
  | "reference-fail";

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
}

/** A tool as the report names it; sha256 identifies builds that print no version (kilnd 0.4.4). */
export interface ToolRef {
  version: string;
  path: string;
  sha256?: string;
}

export interface TierCReport {
  schema: typeof TIERC_SCHEMA;
  generatedAt: string;
  tools: {
    meld: ToolRef | null;
    kilnd: ToolRef | null;
    reference: { engine: string; version: string } | null;
    /** The identity of seam's own code that produced these results. */
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
}

export function isTierCReport(x: unknown): x is TierCReport {
  return (
    typeof x === "object" &&
    x !== null &&
    TIERC_SCHEMAS.includes((x as { schema?: string }).schema ?? "") &&
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
    schema: TIERC_SCHEMA,
    generatedAt: new Date().toISOString(),
    tools,
    options,
    rows: sorted,
    counts,
    notices: [...new Set([...notices, ...loud])],
    exitCode: bad ? EXIT.fail : EXIT.ok,
  };
}

/** Writes results.json, summary.md and junit.xml (each atomically) and the step summary when set. */
export function writeReports(r: TierCReport, outDir: string): void {
  const md = renderTierCMarkdown(r);
  publishBundles(
    outDir,
    r.rows.flatMap((row) => (row.bundle ? [row.bundle] : [])),
  );
  atomicWriteJson(join(outDir, "results.json"), r);
  atomicWrite(join(outDir, "summary.md"), md);
  atomicWrite(join(outDir, "junit.xml"), tierCJUnit(r));
  appendStepSummary(md);
}

/** Combines shard folders into one report in outDir (rows, bundles, notices), as if run at once. */
export function mergeReports(dirs: string[], outDir: string, strict: boolean): TierCReport {
  const parts = dirs.map((d) => {
    const file = join(d, "results.json");
    if (!existsSync(file))
      throw new SeamError(`no results.json in ${shownPath(d)}`, {
        hint: "pass the --out folders of the shard runs",
        exitCode: EXIT.usage,
      });
    let x: unknown;
    try {
      x = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new SeamError(`${shownPath(file)}: not JSON (${(err as Error).message})`, {
        hint: "pass the --out folders of the shard runs",
        exitCode: EXIT.usage,
      });
    }
    if (!isTierCReport(x))
      throw new SeamError(`${shownPath(file)} is not a tier-c results file (schema ${TIERC_SCHEMA})`, {
        exitCode: EXIT.usage,
      });
    return { dir: d, report: x };
  });
  const rows = parts.flatMap((p) => p.report.rows.map((r) => ({ ...r, form: r.form ?? "component" })));
  for (const p of parts) {
    for (const row of p.report.rows) if (row.bundle) stageBundleCopy(join(p.dir, row.bundle), outDir, row.bundle);
  }
  const first = parts[0]!.report;
  const tools = {
    meld: parts.map((p) => p.report.tools.meld).find(Boolean) ?? null,
    kilnd: parts.map((p) => p.report.tools.kilnd).find(Boolean) ?? null,
    reference: parts.map((p) => p.report.tools.reference).find(Boolean) ?? null,
    ...(first.tools.seam ? { seam: first.tools.seam } : {}),
  };
  const fixtures = [...new Set(parts.flatMap((p) => p.report.options.fixtures))].sort();
  const forms = first.options.forms ? { forms: first.options.forms } : {};
  const report = buildTierCReport(
    rows,
    tools,
    { memory: first.options.memory, ...forms, fixtures, strict },
    parts.flatMap((p) => p.report.notices),
  );
  if (first.builds) report.builds = first.builds; // the shards' diffs between builds are recomputed by the caller
  writeReports(report, outDir);
  return report;
}
