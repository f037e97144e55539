/**
 * tierc-report — the schema of out/tier-c/results.json and its markdown rendering (the table a PR
 * comment shows). Written by tier-c.ts, rendered by lib/comment-body.ts (post-comment.ts); also builds, writes and merges reports.
 */
import { existsSync, readFileSync } from "node:fs";
import { publishBundles, stageBundleCopy } from "./bundle.ts";
import { join } from "node:path";
import { atomicWrite, atomicWriteJson, shownPath } from "./fsx.ts";
import { SeamError, EXIT } from "./errors.ts";
import { appendStepSummary } from "./gh-actions.ts";
import { junitXml, mdTable } from "./render.ts";
import type { Form, MemoryMode } from "./records.ts";
import type { ReportDiff } from "./compare.ts";

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
  /** What changed since a base run (tier-c --baseline); lib/compare.ts. */
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

export const ICON: Record<Verdict, string> = {
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
};

/** The headline status of a report in one line. */
export function statusLine(r: TierCReport): string {
  const total = r.rows.length;
  const pass = r.counts.pass ?? 0;
  const bad = r.rows.filter((x) => x.outcome === "unexpected" || x.outcome === "moved").length;
  if (bad > 0) return `❌ **${bad}** of ${total} fixture × memory × form rows need attention (${pass} pass)`;
  const known = total - pass - (r.counts.skipped ?? 0);
  if (!r.tools.kilnd)
    return `⏭️ no kilnd: the kiln cells were skipped; of ${total} rows none is unexpected on meld and the reference engine (${known} known or out of scope)`;
  return `✅ **${pass}/${total}** fixture × memory × form rows pass on kilnd; the rest are known or out of scope`;
}

const verdictText = (row: Row) => `${ICON[row.verdict]} ${row.verdict}${row.blocker ? ` (${row.blocker.ref})` : ""}`;
const rowKey = (row: Row) => `${row.fixture}|${row.mode}|${row.form ?? "component"}`;

/** Several builds: one line per fixture × memory × form, one verdict column per build, the first's why. */
function buildsTable(r: TierCReport, rows: Row[]): string {
  const labels = r.builds!.map((b) => b.label);
  const byKey = new Map<string, Map<string, Row>>();
  for (const row of rows) {
    if (!byKey.has(rowKey(row))) byKey.set(rowKey(row), new Map());
    byKey.get(rowKey(row))!.set(row.build ?? "", row);
  }
  return mdTable(
    ["fixture", "memory", "form", ...labels, `why (${labels[0]})`],
    [...byKey.values()].map((m) => {
      const any = [...m.values()][0]!;
      return [
        any.fixture,
        any.mode,
        any.form ?? "component",
        ...labels.map((l) => (m.get(l) ? verdictText(m.get(l)!) : "—")),
        (m.get(labels[0]!) ?? any).why,
      ];
    }),
  );
}

/** Each build after the first against the first: its summary and the rows it changes. */
function buildDiffLines(r: TierCReport): string[] {
  return (r.buildDiffs ?? []).flatMap((d) => [
    `**${d.head.build} against ${d.base.build}: ${d.summary}**`,
    "",
    ...d.changes.map(
      (c) =>
        `- ${c.fixture} ${c.mode} ${c.form}: ${c.class} — ${c.base?.verdict ?? "—"} → ${c.head?.verdict ?? "—"}${c.head?.signature ? ` \`${c.head.signature}\`` : ""}`,
    ),
    ...(d.changes.length ? [""] : []),
  ]);
}

/** A tool's version, or its sha256 when it prints none (kilnd 0.4.4 has no --version). */
export function toolName(t: ToolRef): string {
  return t.version !== "unknown" || !t.sha256 ? t.version : `sha256 ${t.sha256.slice(0, 12)}`;
}

/** Markdown for a PR comment or step summary: status, counts, the table, notices. No marker line.
 * `before` goes right under the heading (a diff, or a note); `tableRows` limits the table to some rows,
 * and `fold` folds it into <details> with that summary. */
export function renderTierCMarkdown(
  r: TierCReport,
  opts: { runUrl?: string; bundleBaseUrl?: string; before?: string; tableRows?: Row[]; fold?: string } = {},
): string {
  const counts = Object.entries(r.counts)
    .filter(([, n]) => n)
    .map(([v, n]) => `${ICON[v as Verdict]} ${v}: ${n}`)
    .join(" · ");
  const table = r.builds
    ? buildsTable(r, opts.tableRows ?? r.rows)
    : mdTable(
        ["fixture", "memory", "form", "verdict", "why", "repro"],
        (opts.tableRows ?? r.rows).map((row) => [
          row.fixture,
          row.mode,
          row.form ?? "component",
          `${ICON[row.verdict]} ${row.verdict}${row.blocker ? ` (${row.blocker.ref})` : ""}`,
          row.why,
          row.bundle
            ? (opts.bundleBaseUrl ? `[${row.bundle}](${opts.bundleBaseUrl}/${row.bundle})` : `\`${row.bundle}\``) +
              (row.reproduced ? ` — ${row.reproduced}` : "")
            : "",
        ]),
      );
  const t = r.tools;
  const toolLine = r.builds
    ? `${r.builds.map((b) => `${b.label}: meld ${b.meld?.version ?? "absent"}, kilnd ${b.kilnd ? toolName(b.kilnd) : "absent"}`).join(" · ")} · reference ${t.reference ? `${t.reference.engine} ${t.reference.version}` : "absent"}`
    : `meld ${t.meld?.version ?? "absent"} · kilnd ${t.kilnd ? toolName(t.kilnd) : "absent"} · reference ${t.reference ? `${t.reference.engine} ${t.reference.version}` : "absent"}`;
  return [
    "## meld → kiln seam (Tier C)",
    "",
    ...(opts.before ? [opts.before, ""] : []),
    statusLine(r),
    "",
    counts,
    "",
    ...(!opts.fold
      ? [table]
      : (opts.tableRows ?? r.rows).length
        ? [`<details><summary>${opts.fold}</summary>`, "", table, "", "</details>"]
        : [opts.fold]),
    "",
    ...buildDiffLines(r),
    ...(r.notices.length ? ["**Notices**", "", ...r.notices.map((n) => `- ${n}`), ""] : []),
    `<sub>${toolLine}${opts.runUrl ? ` · [run](${opts.runUrl})` : ""}</sub>`,
    "",
  ].join("\n");
}

/** Assembles a report from rows: sorted rows, counts, the notices a reader must see, the exit code. */
export function buildReport(
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

/** One JUnit testcase per fixture × mode × form: expected-fail and out-of-scope rows are skipped, with why. */
export function tierCJUnit(r: TierCReport): string {
  return junitXml(
    "seam tier-c",
    r.rows.map((row) => {
      const failing =
        row.outcome === "unexpected" || row.outcome === "moved" || (r.options.strict && row.outcome === "xpass");
      const skipped = ["expected-fail", "skipped", "fuse-refused", "kiln-unsupported"].includes(row.verdict);
      const form = row.form ?? "component";
      return {
        classname: `tier-c.${row.fixture}`,
        name: `${row.fixture} ${row.mode} ${form}${row.build ? ` ${row.build}` : ""}`,
        seconds: row.cells.reduce((a, c) => a + c.ms, 0) / 1000,
        ...(failing
          ? {
              failure: {
                message: `${row.verdict}: ${row.why}`,
                body: row.cells.map((c) => `${c.step}: ${c.status} ${c.detail}`).join("\n"),
              },
            }
          : {}),
        ...(!failing && skipped ? { skipped: row.blocker ? `${row.blocker.ref}: ${row.why}` : row.why } : {}),
      };
    }),
  );
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
  const report = buildReport(
    rows,
    tools,
    { memory: first.options.memory, ...forms, fixtures, strict },
    parts.flatMap((p) => p.report.notices),
  );
  if (first.builds) report.builds = first.builds; // the shards' diffs between builds are recomputed by the caller
  writeReports(report, outDir);
  return report;
}
