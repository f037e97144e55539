/**
 * compare — what changed between two tier-c results (a base and a head): the rows whose verdict, kilnd
 * signature (`actualSignature`) or ledger outcome changed, keyed by fixture × memory × form, each classed,
 * plus the unchanged count, both sides' tools and a note when the corpora differ. The rules
 * of each class are lib/compare/classify.ts's; reading and writing results, lib/compare/io.ts; showing a
 * diff, lib/compare/render.ts; the shapes, lib/compare/types.ts.
 * Used by: scripts/tier-c.ts (`compare`, `--baseline`), scripts/all.ts, lib/comment/body.ts.

 */
import { classify } from "./classify.ts";
import { CLASS_ORDER, FAIL_ON, keyOf, type ChangeClass, type ComparableReport, type ComparableRow } from "./types.ts";
import type { CompareOptions, ReportDiff, RowChange, RowState, SideInfo, ComparableTool } from "./types.ts";
import { SeamError, EXIT } from "../core/errors.ts";
import { SCHEMAS } from "../engines/records.ts";

const fail = (message: string) => new SeamError(message, { exitCode: EXIT.usage });

function buildLabels(r: ComparableReport): string[] {
  if (r.builds?.length) return r.builds.map((b) => b.label);
  return [...new Set(r.rows.flatMap((x) => (x.build ? [x.build] : [])))];
}

/** One side's rows (of one build) by key, and its tools. */
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
const change = (r: ComparableRow, cls: ChangeClass, reason: string, base?: RowState, head?: RowState): RowChange => ({
  fixture: r.fixture,
  mode: r.mode,
  form: r.form ?? "component",
  class: cls,
  reason,
  ...(base ? { base } : {}),
  ...(head ? { head } : {}),
});

/** Every common row classed (or counted unchanged), and the rows only one side has as new and gone. */
function rowChanges(b: Map<string, ComparableRow>, h: Map<string, ComparableRow>) {
  const changes: RowChange[] = [];
  let unchanged = 0;
  const onlyBase = [...b].filter(([k]) => !h.has(k)).map(([, r]) => r);
  const onlyHead = [...h].filter(([k]) => !b.has(k)).map(([, r]) => r);
  for (const [k, br] of b) {
    const hr = h.get(k);
    if (!hr) continue;
    const [bs, hs] = [state(br), state(hr)];
    const c = classify(bs, hs);
    if (!c) unchanged++;
    else changes.push(change(hr, c.class, c.reason, bs, hs));
  }
  for (const r of onlyHead) changes.push(change(r, "new", `only in head: ${r.verdict}`, undefined, state(r)));
  for (const r of onlyBase) changes.push(change(r, "gone", `only in base: ${r.verdict}`, state(r)));
  const rank = (c: ChangeClass) => CLASS_ORDER.indexOf(c);
  changes.sort(
    (x, y) =>
      rank(x.class) - rank(y.class) ||
      x.fixture.localeCompare(y.fixture) ||
      x.mode.localeCompare(y.mode) ||
      x.form.localeCompare(y.form),
  );
  return { changes, unchanged, onlyBase, onlyHead };
}

/** Whether both sides ran the same corpus, and if not, the note that says on what they compared. */
function corpusOf(common: number, onlyBase: ComparableRow[], onlyHead: ComparableRow[]): ReportDiff["corpus"] {
  const fixtures = (rows: ComparableRow[]) => [...new Set(rows.map((r) => r.fixture))].sort();
  const corpus: ReportDiff["corpus"] = {
    same: !onlyBase.length && !onlyHead.length,
    common,
    onlyBase: { rows: onlyBase.length, fixtures: fixtures(onlyBase) },
    onlyHead: { rows: onlyHead.length, fixtures: fixtures(onlyHead) },
  };
  if (corpus.same) return corpus;
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
  return corpus;
}

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
  const { changes, unchanged, onlyBase, onlyHead } = rowChanges(b.rows, h.rows);
  const counts = Object.fromEntries(CLASS_ORDER.map((c) => [c, 0])) as Record<ChangeClass, number>;
  for (const c of changes) counts[c.class]++;
  const corpus = corpusOf(b.rows.size - onlyBase.length, onlyBase, onlyHead);
  const tripped = changes.some((c) => FAIL_ON[failOn].includes(c.class));
  return {
    schema: SCHEMAS.compare,
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

/** Whether a diff's classes trip its --fail-on, as an exit code. */
export const diffExitCode = (d: ReportDiff): number => (d.tripped ? EXIT.fail : EXIT.ok);
