/**
 * render — a tier-c report as people read it: the markdown table (one verdict column per build
 * when a run has several), the status line, counts and notices for the step summary and the PR comment,
 * and the JUnit XML CI reads.
 */
import { junitXml, mdCode, mdInert, mdTable } from "../core/render.ts";
import { VERDICT_ICONS, type Row, type TierCReport, type ToolRef, type Verdict } from "./report.ts";

/** The headline status of a report in one line. */
export function tierCStatusLine(r: TierCReport): string {
  const total = r.rows.length;
  const pass = r.counts.pass ?? 0;
  const bad = r.rows.filter((x) => x.outcome === "unexpected" || x.outcome === "moved").length;
  if (bad > 0) return `❌ **${bad}** of ${total} fixture × memory × form rows need attention (${pass} pass)`;
  const known = total - pass - (r.counts.skipped ?? 0);
  if (!r.tools.kilnd)
    return `⏭️ no kilnd: the kiln cells were skipped; of ${total} rows none is unexpected on meld and the reference engine (${known} known or out of scope)`;
  return `✅ **${pass}/${total}** fixture × memory × form rows pass on kilnd; the rest are known or out of scope`;
}

/** Guest, argument and environment text for a table cell: inert (mdInert: no live markup, mention or
 * control byte), its pipes left for mdTable's own cell escaping to do once. */
export const inertCell = (s: string) => mdInert(s).replace(/\\\|/g, "|");

const verdictText = (row: Row) =>
  `${VERDICT_ICONS[row.verdict]} ${row.verdict}${row.blocker ? ` (${row.blocker.ref})` : ""}`;
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
        inertCell(any.fixture),
        any.mode,
        any.form ?? "component",
        ...labels.map((l) => (m.get(l) ? verdictText(m.get(l)!) : "—")),
        inertCell((m.get(labels[0]!) ?? any).why),
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

const CALL_STEPS = ["reference(original)", "reference(fused)", "kiln(original)", "kiln(fused)"] as const;

/** Every `--invoke` call of the rows, one line each: expected, and the actual result per engine cell. */
export function callsTable(rows: Row[]): string | undefined {
  const lines = rows.flatMap((row) =>
    (row.calls ?? []).map((c) => [
      row.fixture,
      row.mode,
      row.form ?? "component",
      // a call's arguments, the values and kilnd's lines are the guest's and the engines' text: inert
      mdInert(c.call),
      mdInert(c.expected),
      ...CALL_STEPS.map((s) => (c.actual[s] === undefined ? "—" : mdInert(c.actual[s]!))),
    ]),
  );
  if (!lines.length) return undefined;
  return mdTable(["fixture", "memory", "form", "call", "expected", ...CALL_STEPS], lines);
}

/** A tool's version, or its sha256 (the first `shaDigits` digits) when it prints none (kilnd 0.4.4 has no
 * --version). */
export function toolName(t: Pick<ToolRef, "version" | "sha256">, shaDigits = 12): string {
  return t.version !== "unknown" || !t.sha256 ? t.version : `sha256 ${t.sha256.slice(0, shaDigits)}`;
}

/** The bare version at the start of a tool's description (`0.4.4` of `0.4.4 (release asset …, sha256 …)`),
 * for a title; undefined when it starts with none. */
export function bareVersion(text: string): string | undefined {
  return /^\d[\w.+-]*/.exec(text)?.[0];
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
    .map(([v, n]) => `${VERDICT_ICONS[v as Verdict]} ${v}: ${n}`)
    .join(" · ");
  const table = r.builds
    ? buildsTable(r, opts.tableRows ?? r.rows)
    : mdTable(
        ["fixture", "memory", "form", "verdict", "why", "repro"],
        (opts.tableRows ?? r.rows).map((row) => [
          inertCell(row.fixture),
          row.mode,
          row.form ?? "component",
          `${VERDICT_ICONS[row.verdict]} ${row.verdict}${row.blocker ? ` (${inertCell(row.blocker.ref)})` : ""}`,
          inertCell(row.why),
          row.bundle
            ? (opts.bundleBaseUrl
                ? `[${inertCell(row.bundle)}](${opts.bundleBaseUrl}/${encodeURI(row.bundle)})`
                : mdCode(row.bundle)) + (row.reproduced ? ` — ${inertCell(row.reproduced)}` : "")
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
    tierCStatusLine(r),
    "",
    counts,
    "",
    ...(!opts.fold
      ? [table]
      : (opts.tableRows ?? r.rows).length
        ? [`<details><summary>${opts.fold}</summary>`, "", table, "", "</details>"]
        : [opts.fold]),
    "",
    ...callsFold(r.rows),
    ...buildDiffLines(r),
    ...(r.interrupted
      ? [`⚠️ **interrupted by ${r.interrupted}**: not every row was judged; these results are not a verdict`, ""]
      : []),
    ...(r.notices.length ? ["**Notices**", "", ...r.notices.map((n) => `- ${mdInert(n)}`), ""] : []),
    `<sub>${toolLine}${opts.runUrl ? ` · [run](${opts.runUrl})` : ""}</sub>`,
    "",
  ].join("\n");
}

/** The calls table folded, with how many calls it holds; nothing when no row has calls. */
function callsFold(rows: Row[]): string[] {
  const table = callsTable(rows);
  const n = rows.reduce((a, r) => a + (r.calls?.length ?? 0), 0);
  return table
    ? [
        `<details><summary>Calls: ${n} (expected, and what each engine returned)</summary>`,
        "",
        table,
        "",
        "</details>",
        "",
      ]
    : [];
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
