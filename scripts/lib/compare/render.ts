/**
 * render — a diff as people read it: markdown (the tools side by side, the changed rows), JUnit
 * (a change that trips --fail-on is a failure), and the head of a Tier C comment section, cut to fit.
 */
import { mdCell, mdCode, mdTable, junitXml } from "../core/render.ts";
import { inertCell } from "../tierc/render.ts";
import {
  FAIL_ON,
  keyOf,
  type ChangeClass,
  type ComparableRow,
  type ReportDiff,
  type RowChange,
  type RowState,
  type SideInfo,
} from "./types.ts";
import { VERDICT_ICONS } from "../tierc/report.ts";

const CLASS_ICON: Record<ChangeClass, string> = {
  regressed: "❌",
  moved: "❗",
  fixed: "✅",
  reclassified: "🔁",
  new: "🆕",
  gone: "➖",
};
const verdictIcon = (v: string) => (VERDICT_ICONS as Record<string, string | undefined>)[v] ?? "❔";
const short = (sha?: string) => (sha ? ` \`${sha.slice(0, 12)}\`` : "");
/** A tool's version and sha256; a kilnd named by its provenance record already carries its sha256. */
const withSha = (t: { version: string; sha256?: string }) =>
  t.version + (t.version.includes("sha256") ? "" : short(t.sha256));

function stateCell(s: RowState | undefined): string {
  if (!s) return "—";
  return `${verdictIcon(s.verdict)} ${s.verdict}${s.blocker ? ` (${s.blocker})` : ""}${s.signature ? ` ${mdCode(s.signature)}` : ""}`;
}

/** One side's tools in one line: meld, kilnd (with its sha256), the reference engine, seam's code. */
export function sideTools(s: SideInfo): string {
  const t = s.tools;
  return [
    `meld ${t.meld ? t.meld.version + short(t.meld.sha256) : "absent"}`,
    `kilnd ${t.kilnd ? withSha(t.kilnd) : "absent"}`,
    `reference ${t.reference ? `${t.reference.engine} ${t.reference.version}` : "absent"}`,
    ...(t.seam ? [`seam${short(t.seam)}`] : []),
    ...(s.build ? [`build ${s.build}`] : []),
    ...(s.generatedAt ? [s.generatedAt] : []),
  ].join(" · ");
}

function changeRow(c: RowChange, bundleBaseUrl?: string): string[] {
  const bundle = c.head?.bundle;
  const repro = bundle ? (bundleBaseUrl ? `[${bundle}](${bundleBaseUrl}/${bundle})` : `\`${bundle}\``) : "";
  return [
    `${CLASS_ICON[c.class]} ${c.class}`,
    inertCell(c.fixture),
    c.mode,
    c.form,
    stateCell(c.base),
    stateCell(c.head),
    inertCell(c.reason),
    repro,
  ];
}

const CHANGE_HEADER = ["change", "fixture", "memory", "form", "base", "head", "why", "repro"];

/** The diff's head for a Tier C section: the summary with the base's tools, then the changed rows
 * (at most `maxRows`, regressions first, with a line saying how many were left out). */
export function renderDiffBlock(d: ReportDiff, opts: { maxRows?: number; bundleBaseUrl?: string } = {}): string {
  const shown = d.changes.slice(0, opts.maxRows ?? d.changes.length);
  const left = d.changes.length - shown.length;
  return [
    `**${d.summary}** — base: ${sideTools(d.base)}${d.tripped ? ` · fails the run (--fail-on ${d.failOn})` : ""}`,
    ...(d.corpus.note ? ["", `⚠️ ${d.corpus.note}.`] : []),
    ...(shown.length
      ? [
          "",
          mdTable(
            CHANGE_HEADER,
            shown.map((c) => changeRow(c, opts.bundleBaseUrl)),
          ),
        ]
      : []),
    ...(left
      ? [
          "",
          `… and ${left} more changed row${left === 1 ? "" : "s"}, left out to fit: compare.md in the run's results has them all.`,
        ]
      : []),
  ].join("\n");
}

/** The standalone compare report: summary, both sides' tools, the corpus note, every changed row. */
export function renderCompareMarkdown(d: ReportDiff): string {
  const t = (s: SideInfo) => s.tools;
  const line = (name: string, f: (s: SideInfo) => string, mark = true) => {
    const [bv, hv] = [f(d.base), f(d.head)];
    return [name, bv, hv + (mark && bv !== hv ? " ← changed" : "")];
  };
  const tools = mdTable(
    ["", "base", "head"],
    [
      ...(d.base.file || d.head.file ? [line("file", (s) => (s.file ? `\`${s.file}\`` : "—"), false)] : []),
      line("generated", (s) => s.generatedAt ?? "—", false),
      ...(d.base.build || d.head.build ? [line("build", (s) => s.build ?? "—")] : []),
      line("meld", (s) => (t(s).meld ? t(s).meld!.version + short(t(s).meld!.sha256) : "absent")),
      line("kilnd", (s) => (t(s).kilnd ? withSha(t(s).kilnd!) : "absent")),
      line("reference", (s) => (t(s).reference ? `${t(s).reference!.engine} ${t(s).reference!.version}` : "absent")),
      line("seam code", (s) => (t(s).seam ? `\`${t(s).seam!.slice(0, 12)}\`` : "—")),
    ],
  );
  const trip = d.tripped ? `❌ fails (--fail-on ${d.failOn})` : `passes (--fail-on ${d.failOn})`;
  return [
    "## meld → kiln seam (Tier C): what changed",
    "",
    `**${d.summary}** · ${d.unchanged} unchanged · ${trip}`,
    "",
    tools,
    ...(d.corpus.note ? ["", `⚠️ ${d.corpus.note}.`] : []),
    ...(d.changes.length
      ? [
          "",
          mdTable(
            CHANGE_HEADER.slice(0, -1),
            d.changes.map((c) => changeRow(c).slice(0, -1)),
          ),
        ]
      : []),
    "",
  ].join("\n");
}

/** JUnit: one testcase per changed row (a failure when its class trips --fail-on; gone rows skipped),
 * and one for the unchanged rows. */
export function compareJUnit(d: ReportDiff): string {
  const trips = FAIL_ON[d.failOn];
  return junitXml("seam tier-c compare", [
    ...d.changes.map((c) => {
      const name = `${c.fixture} ${c.mode} ${c.form}`;
      const text = `${c.class}: ${c.reason}`;
      return {
        classname: `tier-c.compare.${c.fixture}`,
        name,
        seconds: 0,
        ...(trips.includes(c.class)
          ? { failure: { message: text, body: `base: ${stateCell(c.base)}\nhead: ${stateCell(c.head)}` } }
          : c.class === "gone"
            ? { skipped: text }
            : { systemOut: text }),
      };
    }),
    { classname: "tier-c.compare", name: `${d.unchanged} unchanged row${d.unchanged === 1 ? "" : "s"}`, seconds: 0 },
  ]);
}
