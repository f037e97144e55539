/**
 * compare — what changed between two tier-c results (a base and a head): the rows whose verdict, kilnd
 * signature (`actualSignature`) or ledger outcome changed, keyed by fixture × memory × form, each classed,
 * plus the unchanged count, both sides' tool identities and a note when the corpora differ. Renders the
 * diff as markdown, JSON or JUnit, and as the head of a Tier C comment section.
 * Used by: scripts/tier-c.ts (`compare`, `--baseline`), scripts/all.ts, lib/comment-body.ts.
 *
 * How a verdict stands (its verdict word first; an unknown word by its outcome):
 *   pass          pass, xpass                                        (unknown verdict, outcome xpass)
 *   known fail    expected-fail, meld-bug with outcome "expected"    (unknown verdict, outcome expected)
 *   fail          seam-bug, meld-bug, blocker-moved, reference-fail, unattributed
 *                                                                     (unknown verdict, outcome unexpected,
 *                                                                      moved, or any outcome not listed)
 *   out of scope  fuse-refused, kiln-unsupported, unsupported-form   (unknown verdict, outcome ok)
 *   not judged    skipped (a tool is missing: nothing ran)
 * A failure belongs to the stage that shows it: the fixture (reference-fail), meld (meld-bug) or kilnd
 * (seam-bug, expected-fail, blocker-moved, unattributed). A row is unchanged when verdict, outcome and
 * signature are all equal; otherwise it is classed by its standing on each side, first rule that fits:
 *   fixed         head passes, base failed or was out of scope
 *   reclassified  head passes and base passed too (pass ↔ xpass: a ledger edit) or was not judged
 *   regressed     base passed and head does not (fail closed: pass → skipped because kilnd vanished is
 *                 a regression, never green)
 *   regressed     head is not judged and base was: the verdict was lost (fail closed)
 *   regressed     head fails unexpectedly where base was not judged or out of scope
 *   reclassified  base not judged, head known-fail or out of scope (a verdict gained, none lost)
 *   regressed     a failure became out of scope (a tool now declines the row: never a fix)
 *   reclassified  out of scope on both sides for another reason, or out of scope → known fail
 *   moved         both fail in the same stage with a new signature (or, with no signature to read,
 *                 a known failure that no longer matches its record)
 *   reclassified  both fail in the same stage with the same signature (a ledger or manifest edit)
 *   regressed     the failure moved upstream (kilnd → meld → fixture), or a stage is unknown
 *   reclassified  the failure moved downstream (meld's output now passes the reference; kilnd fails it)
 *   new / gone    the row is only in head / only in base
 * `reclassified` is the sixth class: the verdict changed but the seam got neither better nor worse.
 * --fail-on regressed trips on regressed; moved on regressed or moved; any on every change; none never.
 */
import { enumValue } from "./cli.ts";
import { existsSync, readFileSync, renameSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { SeamError, EXIT } from "./errors.ts";
import { atomicWrite, atomicWriteJson } from "./fsx.ts";
import { appendStepSummary } from "./gh-actions.ts";
import { junitXml, mdCell, mdTable } from "./render.ts";
import type { TierCReport } from "./tierc-report.ts";
import { ICON, renderTierCMarkdown } from "./tierc-render.ts";

export const COMPARE_SCHEMA = "seam.tier-c-compare/1";
/** The results schemas compare reads: today's and the one that adds forms and builds. */
export const READABLE_SCHEMAS = ["seam.tier-c/1", "seam.tier-c/2"];

// ---------------------------------------------------------------------------------------------------
// Types: what compare reads (every field beyond the key and verdict optional) and what it returns

export interface ComparableRow {
  fixture: string;
  mode: string;
  /** Absent in results written before forms existed: read as "component". */
  form?: string;
  /** The build label when one run covered several kilnd or meld builds. */
  build?: string;
  verdict: string;
  outcome: string;
  why?: string;
  actualSignature?: string;
  blocker?: { ref: string };
  bundle?: string;
}

export interface ComparableTool {
  version: string;
  path?: string;
  sha256?: string;
}

export interface ComparableReport {
  schema: string;
  generatedAt?: string;
  tools?: {
    meld?: ComparableTool | null;
    kilnd?: ComparableTool | null;
    reference?: { engine: string; version: string } | null;
    seam?: { code: string };
  };
  builds?: { label: string; kilnd?: ComparableTool | null; meld?: ComparableTool | null }[];
  rows: ComparableRow[];
}

export type Standing = "pass" | "known-fail" | "fail" | "out-of-scope" | "not-judged";
export type ChangeClass = "regressed" | "moved" | "fixed" | "reclassified" | "new" | "gone";
export type FailOn = "regressed" | "moved" | "any" | "none";

/** Severity order: tables list regressions first, and a size cut keeps them longest. */
export const CLASS_ORDER: ChangeClass[] = ["regressed", "moved", "fixed", "reclassified", "new", "gone"];
export const FAIL_ON: Record<FailOn, ChangeClass[]> = {
  regressed: ["regressed"],
  moved: ["regressed", "moved"],
  any: CLASS_ORDER,
  none: [],
};

export interface RowState {
  verdict: string;
  outcome: string;
  signature?: string;
  why: string;
  blocker?: string;
  bundle?: string;
}

export interface RowChange {
  fixture: string;
  mode: string;
  form: string;
  class: ChangeClass;
  /** One line: why this class. */
  reason: string;
  base?: RowState;
  head?: RowState;
}

export interface SideInfo {
  /** The file read, when compare read one. */
  file?: string;
  schema: string;
  generatedAt?: string;
  /** The build compared, when the results hold several. */
  build?: string;
  builds?: string[];
  rows: number;
  tools: {
    meld: { version: string; sha256?: string } | null;
    kilnd: { version: string; sha256?: string } | null;
    reference: { engine: string; version: string } | null;
    /** sha256 of seam's own code that produced the results. */
    seam: string | null;
  };
}

export interface ReportDiff {
  schema: typeof COMPARE_SCHEMA;
  /** One line: "2 fixed, 1 regressed since base". */
  summary: string;
  failOn: FailOn;
  /** Did a change of a class --fail-on names occur. */
  tripped: boolean;
  base: SideInfo;
  head: SideInfo;
  counts: Record<ChangeClass, number>;
  unchanged: number;
  /** Changed, new and gone rows, regressions first. */
  changes: RowChange[];
  corpus: {
    same: boolean;
    common: number;
    onlyBase: { rows: number; fixtures: string[] };
    onlyHead: { rows: number; fixtures: string[] };
    /** Set when the corpora differ: how many rows were compared and what was left out. */
    note?: string;
  };
}

export interface CompareOptions {
  failOn?: FailOn;
  /** The build to read on each side that has several (default: the first). */
  build?: string;
  /** Per side; wins over `build`, and must exist. */
  baseBuild?: string;
  headBuild?: string;
  baseFile?: string;
  headFile?: string;
}

// ---------------------------------------------------------------------------------------------------
// Classification (pure)

const PASS = new Set(["pass", "xpass"]);
const OUT_OF_SCOPE = new Set(["fuse-refused", "kiln-unsupported", "unsupported-form"]);
const FAILS = new Set(["seam-bug", "meld-bug", "blocker-moved", "reference-fail", "unattributed"]);

/** How a verdict stands; an unknown verdict word by its outcome, never as a pass unless it says xpass. */
export function standing(verdict: string, outcome: string): Standing {
  if (PASS.has(verdict)) return "pass";
  if (verdict === "skipped") return "not-judged";
  if (OUT_OF_SCOPE.has(verdict)) return "out-of-scope";
  if (verdict === "expected-fail") return "known-fail";
  if (FAILS.has(verdict)) return outcome === "expected" ? "known-fail" : "fail";
  if (outcome === "xpass") return "pass";
  if (outcome === "expected") return "known-fail";
  if (outcome === "ok") return "out-of-scope";
  return "fail";
}

/** The pipeline stage a failure shows in: 0 the fixture, 1 meld, 2 kilnd; undefined when unknown. */
export function stage(verdict: string): number | undefined {
  if (verdict === "reference-fail") return 0;
  if (verdict === "meld-bug") return 1;
  if (["seam-bug", "expected-fail", "blocker-moved", "unattributed"].includes(verdict)) return 2;
  return undefined;
}

const STAGE_NAME = ["the fixture", "meld", "kilnd"];
const failing = (s: Standing) => s === "fail" || s === "known-fail";
const sig = (s: RowState) => (s.signature ? `${s.verdict} ${s.signature}` : s.verdict);

/** The class of a row present on both sides, and why; null when nothing compared changed. */
export function classify(base: RowState, head: RowState): { class: ChangeClass; reason: string } | null {
  if (base.verdict === head.verdict && base.outcome === head.outcome && base.signature === head.signature) return null;
  const b = standing(base.verdict, base.outcome);
  const h = standing(head.verdict, head.outcome);
  const was = `was ${sig(base)}, now ${sig(head)}`;
  if (h === "pass") {
    if (b === "pass") return { class: "reclassified", reason: `still passes; only the label changed` };
    if (b === "not-judged")
      return { class: "reclassified", reason: `newly judged, and passes (base: ${base.why || "skipped"})` };
    return { class: "fixed", reason: b === "out-of-scope" ? "now in scope, and passes" : "now passes" };
  }
  if (h === "not-judged" && b === "not-judged") return { class: "reclassified", reason: "still not judged" };
  if (h === "not-judged")
    return {
      class: "regressed",
      reason: `no longer judged (${head.why || "skipped"}): a lost verdict counts as a regression`,
    };
  if (b === "pass")
    return {
      class: "regressed",
      reason: h === "out-of-scope" ? `no longer passes: now out of scope (${head.why})` : "no longer passes",
    };
  if (b === "not-judged") {
    return h === "fail"
      ? { class: "regressed", reason: `a failure the base could not judge (base: ${base.why || "skipped"})` }
      : { class: "reclassified", reason: `newly judged: ${head.verdict}` };
  }
  if (h === "out-of-scope") {
    return b === "out-of-scope"
      ? { class: "reclassified", reason: "still out of scope, for another reason" }
      : { class: "regressed", reason: `now out of scope (${head.why}): a failure a tool now declines is not fixed` };
  }
  if (b === "out-of-scope")
    return h === "fail"
      ? { class: "regressed", reason: "now in scope, and fails unexpectedly" }
      : { class: "reclassified", reason: "now in scope, and fails as known" };
  // Both fail.
  const sb = stage(base.verdict);
  const sh = stage(head.verdict);
  if (sb === undefined || sh === undefined)
    return { class: "regressed", reason: `${was}: a failure of an unknown kind counts as a regression` };
  if (sb === sh) {
    if (base.signature !== head.signature)
      return { class: "moved", reason: `${STAGE_NAME[sh]} fails with a new signature` };
    if (!base.signature && b === "known-fail" && h === "fail")
      return {
        class: "moved",
        reason: `${STAGE_NAME[sh]}'s failure no longer matches its record (${base.outcome} → ${head.outcome})`,
      };
    return { class: "reclassified", reason: `the same failure, relabelled (${base.outcome} → ${head.outcome})` };
  }
  if (sh < sb)
    return { class: "regressed", reason: `the failure moved upstream, from ${STAGE_NAME[sb]} to ${STAGE_NAME[sh]}` };
  return { class: "reclassified", reason: `the failure moved downstream, from ${STAGE_NAME[sb]} to ${STAGE_NAME[sh]}` };
}

// ---------------------------------------------------------------------------------------------------
// Reading results files

const fail = (message: string) => new SeamError(message, { exitCode: EXIT.usage });

/** Checks a parsed value is tier-c results compare can read; one-line errors naming `file`. */
export function parseResults(file: string, text: string): ComparableReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw fail(`${file}: not JSON (${(err as Error).message.split("\n")[0]}): pass a tier-c results.json`);
  }
  const schema = typeof json === "object" && json !== null ? (json as { schema?: unknown }).schema : undefined;
  if (typeof schema !== "string" || !READABLE_SCHEMAS.includes(schema)) {
    const what = schema === undefined ? "no schema field" : `schema ${JSON.stringify(schema)}`;
    throw fail(`${file}: not a tier-c results file (${what}; compare reads ${READABLE_SCHEMAS.join(", ")})`);
  }
  const rows = (json as { rows?: unknown }).rows;
  if (!Array.isArray(rows))
    throw fail(`${file}: says ${schema} but has no rows list: regenerate it with scripts/tier-c.ts`);
  rows.forEach((r, i) => {
    const o = r as Record<string, unknown>;
    for (const field of ["fixture", "mode", "verdict", "outcome"]) {
      if (typeof o?.[field] !== "string")
        throw fail(`${file}: row ${i + 1} has no ${field}: regenerate it with scripts/tier-c.ts`);
    }
  });
  return json as ComparableReport;
}

/** Reads a results.json, or the results.json in a tier-c --out folder; one-line errors (exit 2). */
export function loadResults(path: string): { file: string; report: ComparableReport } {
  if (path.trim() === "") throw fail("an empty path: pass a tier-c results.json or its --out folder");
  if (!existsSync(path)) throw fail(`${path} not found: pass a tier-c results.json or its --out folder`);
  const file = statSync(path).isDirectory() ? join(path, "results.json") : path;
  if (!existsSync(file)) throw fail(`${path} has no results.json: pass a tier-c results.json or its --out folder`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { file, report: parseResults(file, text) };
}

/**
 * Reads the base of `tier-c --baseline` before the run. When BASE is the results.json the run is about
 * to replace (the example workflow restores the base branch's results there), it is moved aside to
 * baseline.json first: a run that stops early never leaves the base's results posing as its own.
 */
export function takeBaseline(path: string, outDir: string): { file: string; report: ComparableReport } {
  const loaded = loadResults(path);
  if (resolve(loaded.file) !== resolve(outDir, "results.json")) return loaded;
  const aside = join(outDir, "baseline.json");
  renameSync(loaded.file, aside);
  return { file: aside, report: loaded.report };
}

/** Writes compare.json and compare.md next to results.json (atomically) and the step summary when set. */
export function writeDiff(d: ReportDiff, outDir: string): void {
  const md = renderCompareMarkdown(d);
  atomicWriteJson(join(outDir, "compare.json"), d);
  atomicWrite(join(outDir, "compare.md"), md);
  appendStepSummary(md);
}

// ---------------------------------------------------------------------------------------------------
// The comparison (pure)

const keyOf = (r: { fixture: string; mode: string; form?: string }) =>
  `${r.fixture}\0${r.mode}\0${r.form ?? "component"}`;

function buildLabels(r: ComparableReport): string[] {
  if (r.builds?.length) return r.builds.map((b) => b.label);
  return [...new Set(r.rows.flatMap((x) => (x.build ? [x.build] : [])))];
}

/** One side's rows (of one build) by key, and its identity. */
function side(
  r: ComparableReport,
  which: "base" | "head",
  want: { pick?: string; strict: boolean },
  file?: string,
): { rows: Map<string, ComparableRow>; info: SideInfo } {
  const name = file ?? which;
  const labels = buildLabels(r);
  let build: string | undefined;
  if (labels.length) {
    build = want.pick ?? labels[0]!;
    if (!labels.includes(build))
      throw fail(`${name}: no build ${JSON.stringify(build)} (its builds: ${labels.join(", ")})`);
  } else if (want.pick && want.strict) {
    throw fail(`${name}: has no builds, so --${which}-build ${want.pick} cannot be read`);
  }
  const rows = new Map<string, ComparableRow>();
  for (const row of r.rows) {
    if (build !== undefined && row.build !== undefined && row.build !== build) continue;
    const k = keyOf(row);
    if (rows.has(k))
      throw fail(
        `${name}: ${row.fixture} × ${row.mode} × ${row.form ?? "component"} appears twice${build ? ` in build ${build}` : ""}: one row per fixture × memory × form`,
      );
    rows.set(k, row);
  }
  const b = build !== undefined ? r.builds?.find((x) => x.label === build) : undefined;
  const tool = (t: ComparableTool | null | undefined) =>
    t ? { version: t.version, ...(t.sha256 ? { sha256: t.sha256 } : {}) } : null;
  const info: SideInfo = {
    ...(file ? { file } : {}),
    schema: r.schema,
    ...(r.generatedAt ? { generatedAt: r.generatedAt } : {}),
    ...(build !== undefined ? { build, builds: labels } : {}),
    rows: rows.size,
    tools: {
      meld: tool(b && b.meld !== undefined ? b.meld : r.tools?.meld),
      kilnd: tool(b && b.kilnd !== undefined ? b.kilnd : r.tools?.kilnd),
      reference: r.tools?.reference ? { engine: r.tools.reference.engine, version: r.tools.reference.version } : null,
      seam: r.tools?.seam?.code ?? null,
    },
  };
  return { rows, info };
}

const state = (r: ComparableRow): RowState => ({
  verdict: r.verdict,
  outcome: r.outcome,
  ...(r.actualSignature ? { signature: r.actualSignature } : {}),
  why: r.why ?? "",
  ...(r.blocker?.ref ? { blocker: r.blocker.ref } : {}),
  ...(r.bundle ? { bundle: r.bundle } : {}),
});

/** "2 fixed, 1 regressed since base" (fixed and regressed always; other classes when they occur). */
export function diffSummary(counts: Record<ChangeClass, number>, unchanged: number): string {
  const total = CLASS_ORDER.reduce((n, c) => n + counts[c], 0);
  if (total === 0) return `no change since base (${unchanged} row${unchanged === 1 ? "" : "s"} unchanged)`;
  const parts = [
    `${counts.fixed} fixed`,
    `${counts.regressed} regressed`,
    ...(["moved", "reclassified", "new", "gone"] as const).filter((c) => counts[c]).map((c) => `${counts[c]} ${c}`),
  ];
  return `${parts.join(", ")} since base`;
}

/** The rows that changed between base and head, each classed; see the module header for the rules. */
export function compareReports(base: ComparableReport, head: ComparableReport, opts: CompareOptions = {}): ReportDiff {
  const failOn = opts.failOn ?? "regressed";
  const b = side(
    base,
    "base",
    { pick: opts.baseBuild ?? opts.build, strict: opts.baseBuild !== undefined },
    opts.baseFile,
  );
  const h = side(
    head,
    "head",
    { pick: opts.headBuild ?? opts.build, strict: opts.headBuild !== undefined },
    opts.headFile,
  );
  const changes: RowChange[] = [];
  let unchanged = 0;
  const onlyBase: ComparableRow[] = [];
  const onlyHead: ComparableRow[] = [];
  for (const [k, br] of b.rows) {
    const hr = h.rows.get(k);
    if (!hr) {
      onlyBase.push(br);
      continue;
    }
    const [bs, hs] = [state(br), state(hr)];
    const c = classify(bs, hs);
    if (!c) unchanged++;
    else
      changes.push({
        fixture: hr.fixture,
        mode: hr.mode,
        form: hr.form ?? "component",
        class: c.class,
        reason: c.reason,
        base: bs,
        head: hs,
      });
  }
  for (const [k, hr] of h.rows) if (!b.rows.has(k)) onlyHead.push(hr);
  for (const r of onlyHead)
    changes.push({
      fixture: r.fixture,
      mode: r.mode,
      form: r.form ?? "component",
      class: "new",
      reason: `only in head: ${r.verdict}`,
      head: state(r),
    });
  for (const r of onlyBase)
    changes.push({
      fixture: r.fixture,
      mode: r.mode,
      form: r.form ?? "component",
      class: "gone",
      reason: `only in base: ${r.verdict}`,
      base: state(r),
    });
  const rank = (c: ChangeClass) => CLASS_ORDER.indexOf(c);
  changes.sort(
    (x, y) =>
      rank(x.class) - rank(y.class) ||
      x.fixture.localeCompare(y.fixture) ||
      x.mode.localeCompare(y.mode) ||
      x.form.localeCompare(y.form),
  );
  const counts = Object.fromEntries(CLASS_ORDER.map((c) => [c, 0])) as Record<ChangeClass, number>;
  for (const c of changes) counts[c.class]++;
  const fixtures = (rows: ComparableRow[]) => [...new Set(rows.map((r) => r.fixture))].sort();
  const common = b.rows.size - onlyBase.length;
  const corpus: ReportDiff["corpus"] = {
    same: !onlyBase.length && !onlyHead.length,
    common,
    onlyBase: { rows: onlyBase.length, fixtures: fixtures(onlyBase) },
    onlyHead: { rows: onlyHead.length, fixtures: fixtures(onlyHead) },
  };
  if (!corpus.same) {
    const list = (xs: string[]) =>
      xs.length > 8 ? `${xs.slice(0, 8).join(", ")} and ${xs.length - 8} more` : xs.join(", ");
    const rowsIn = (n: number, where: string, fx: string[]) =>
      `${n} row${n === 1 ? "" : "s"} only in ${where} (fixture${fx.length === 1 ? "" : "s"} ${list(fx)})`;
    const parts = [
      onlyHead.length ? rowsIn(onlyHead.length, "head", corpus.onlyHead.fixtures) : "",
      onlyBase.length ? rowsIn(onlyBase.length, "base", corpus.onlyBase.fixtures) : "",
    ].filter(Boolean);
    const listed = [onlyHead.length ? "new" : "", onlyBase.length ? "gone" : ""].filter(Boolean).join(" and ");
    corpus.note = `the corpora differ: compared on the ${common} common row${common === 1 ? "" : "s"}; ${parts.join(" and ")}, listed as ${listed}`;
  }
  const tripped = changes.some((c) => FAIL_ON[failOn].includes(c.class));
  return {
    schema: COMPARE_SCHEMA,
    summary: diffSummary(counts, unchanged),
    failOn,
    tripped,
    base: b.info,
    head: h.info,
    counts,
    unchanged,
    changes,
    corpus,
  };
}

// ---------------------------------------------------------------------------------------------------
// Rendering

const CLASS_ICON: Record<ChangeClass, string> = {
  regressed: "❌",
  moved: "❗",
  fixed: "✅",
  reclassified: "🔁",
  new: "🆕",
  gone: "➖",
};
const verdictIcon = (v: string) => (ICON as Record<string, string | undefined>)[v] ?? "❔";
const short = (sha?: string) => (sha ? ` \`${sha.slice(0, 12)}\`` : "");

function stateCell(s: RowState | undefined): string {
  if (!s) return "—";
  return `${verdictIcon(s.verdict)} ${s.verdict}${s.blocker ? ` (${s.blocker})` : ""}${s.signature ? ` \`${s.signature}\`` : ""}`;
}

/** One side's tools in one line: meld, kilnd (with its sha256), the reference engine, seam's code. */
export function sideIdentity(s: SideInfo): string {
  const t = s.tools;
  return [
    `meld ${t.meld ? t.meld.version + short(t.meld.sha256) : "absent"}`,
    `kilnd ${t.kilnd ? t.kilnd.version + short(t.kilnd.sha256) : "absent"}`,
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
    c.fixture,
    c.mode,
    c.form,
    stateCell(c.base),
    stateCell(c.head),
    c.reason,
    repro,
  ];
}

const CHANGE_HEADER = ["change", "fixture", "memory", "form", "base", "head", "why", "repro"];

/** The diff's head for a Tier C section: the summary with the base's identity, then the changed rows
 * (at most `maxRows`, regressions first, with a line saying how many were left out). */
export function renderDiffBlock(d: ReportDiff, opts: { maxRows?: number; bundleBaseUrl?: string } = {}): string {
  const shown = d.changes.slice(0, opts.maxRows ?? d.changes.length);
  const left = d.changes.length - shown.length;
  return [
    `**${d.summary}** — base: ${sideIdentity(d.base)}${d.tripped ? ` · fails the run (--fail-on ${d.failOn})` : ""}`,
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
      line("kilnd", (s) => (t(s).kilnd ? t(s).kilnd!.version + short(t(s).kilnd!.sha256) : "absent")),
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

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** The largest n in [0, max] with fits(n), for a fits that holds up to some n and not beyond. */
function largest(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A Tier C report that carries a diff, as one comment section: the diff first (summary, base identity,
 * changed rows), then the report's status and counts, the unchanged rows folded in <details>. Under
 * `maxBytes` (UTF-8), unchanged rows are cut first, then changed rows from the least severe.
 */
export function renderTierCSection(
  r: TierCReport & { diff: ReportDiff },
  opts: { runUrl?: string; bundleBaseUrl?: string; maxBytes?: number } = {},
): string {
  const changed = new Set(r.diff.changes.map((c) => keyOf(c)));
  const unchanged = r.rows.filter((row) => !changed.has(keyOf(row as ComparableRow)));
  const render = (changedRows: number, unchangedRows: number) => {
    const left = unchanged.length - unchangedRows;
    return renderTierCMarkdown(r, {
      ...opts,
      before: renderDiffBlock(r.diff, { maxRows: changedRows, bundleBaseUrl: opts.bundleBaseUrl }),
      tableRows: unchanged.slice(0, unchangedRows),
      fold: !unchanged.length
        ? "No row is unchanged."
        : !unchangedRows
          ? `${unchanged.length} unchanged row${unchanged.length === 1 ? "" : "s"}, left out to fit.`
          : `${unchanged.length} unchanged row${unchanged.length === 1 ? "" : "s"}${left ? ` (${unchangedRows} shown, ${left} left out to fit)` : ""}`,
    });
  };
  const full = render(r.diff.changes.length, unchanged.length);
  if (opts.maxBytes === undefined || bytes(full) <= opts.maxBytes) return full;
  const max = opts.maxBytes;
  const all = r.diff.changes.length;
  if (bytes(render(all, 0)) <= max)
    return render(
      all,
      largest(unchanged.length, (n) => bytes(render(all, n)) <= max),
    );
  return render(
    largest(all, (n) => bytes(render(n, 0)) <= max),
    0,
  );
}

/** Whether a diff's classes trip its --fail-on, as an exit code. */
export const diffExitCode = (d: ReportDiff): number => (d.tripped ? EXIT.fail : EXIT.ok);

export function parseFailOn(text: string): FailOn {
  return enumValue("--fail-on", text, Object.keys(FAIL_ON) as FailOn[]);
}
