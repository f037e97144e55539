/**
 * rows — the tier-c matrix itself: for every fixture × build × memory mode × form, its cells, its verdict
 * (lib/tierc/attribution.ts), and for a failure its repro bundle; then the report, with the notice that
 * kilnd refuses components said once and each build's difference from the first.
 * Used by: scripts/tier-c.ts, scripts/all.ts (its tier-c step), scripts/bench.ts, tests (runMatrix).
 */
import { readFileSync } from "node:fs";
import { componentImports, coreImports } from "../core/wasm.ts";
import { decide, type CellRun, type Decision, type Evidence } from "./attribution.ts";
import { callResults } from "./call-results.ts";
import { bundleRow, type RowCells } from "./bundle/row.ts";
import { codeDigest, type ToolDigest } from "./cache.ts";
import { compareReports } from "../compare/compare.ts";
import { sha256 } from "../core/fsx.ts";
import { shardFixtures, skippedCell, type MatrixFixture, type MatrixOptions, type RefEngine } from "./matrix.ts";
import {
  fuseCell,
  fusedCell,
  prepareMatrixRun,
  once,
  runCell,
  type Build,
  type MatrixRun,
  type Fused,
} from "./cells.ts";
import { formatSignature, type Form, type FuseRecord, type MemoryMode } from "../engines/records.ts";
import { interruptedBy } from "../core/proc.ts";
import { FAILING_VERDICTS } from "./findings/cause.ts";
import { buildTierCReport, type Cell, type CellStep, type Row, type TierCReport, type Verdict } from "./report.ts";

const BUNDLE_VERDICTS: Verdict[] = [...(FAILING_VERDICTS as Verdict[]), "reference-fail"]; // not fuse-refused: meld declining an input leaves no file for kilnd to run, nothing to reproduce on kiln

/** Where a fixture's rows come from: its bytes, its reference engine and its per-fixture cells. */
interface FixtureRun {
  fx: MatrixFixture;
  sha: string;
  refEngine: RefEngine;
  refOrig: Promise<CellRun>;
  kilnOrig: (b: Build) => Promise<CellRun>;
}

async function fixtureRows(ctx: MatrixRun, fx: MatrixFixture): Promise<Row[]> {
  const { options: o } = ctx;
  const sha = sha256(readFileSync(fx.file));
  const refEngine = fx.reference?.original ?? o.reference;
  const refOrig = runCell(ctx, fx, refEngine, ctx.ref[refEngine], fx.file, sha).then(
    (c) => (ctx.tick(fx.name, "-", "reference(original)", c), c),
  );
  // kilnd has no unfused baseline in the core form: the original is a component.
  const kilnOrig = (b: Build) =>
    o.forms.includes("component")
      ? once(ctx, `kiln-orig|${fx.name}|${b.kiln?.path ?? ""}`, () =>
          runCell(ctx, fx, "kiln", b.kiln, fx.file, sha).then((c) => (ctx.tick(fx.name, "-", "kiln(original)", c), c)),
        )
      : Promise.resolve(skippedCell("no unfused baseline in the core form (the original is a component)"));
  const run: FixtureRun = { fx, sha, refEngine, refOrig, kilnOrig };
  return Promise.all(
    ctx.builds.flatMap((b) => o.modes.flatMap((mode) => o.forms.map((form) => row(ctx, run, b, mode, form)))),
  );
}

/** The reference run a row rests on: the same fused component, or for a core module meld's component output. */
function evidenceOf(
  form: Form,
  engine: RefEngine,
  cell: CellRun,
  comp: Fused,
): { evidence?: Evidence; noEvidence?: string } {
  const what =
    form === "component"
      ? `${engine} ran the same fused component`
      : `${engine} ran meld's component output of the same input and memory mode`;
  const noEvidence =
    form === "core" && comp.rec?.verdict === "refused"
      ? `meld refused the component form: ${comp.rec.message}`
      : undefined;
  return { ...(cell.ok !== null ? { evidence: { what, engine, cell } } : {}), ...(noEvidence ? { noEvidence } : {}) };
}

/** The imports of meld's core output that the original does not import at its top level, as text
 * (`seam:fixtures/math@0.1.0` `add`): what meld left unresolved. None when either file cannot be read. */
export function unresolvedImports(original: string, fused: Fused): string[] {
  if (fused.rec?.verdict !== "fused" || fused.rec.mode !== "core") return [];
  try {
    const top = new Set(componentImports(readFileSync(original)));
    return coreImports(readFileSync(fused.path))
      .filter((i) => !top.has(i.module))
      .map((i) => `\`${i.module || "(no module name)"}\` \`${i.name}\``);
  } catch {
    return [];
  }
}

const cellOf = (step: CellStep, c: CellRun): Cell => ({
  step,
  status: c.status,
  ok: c.ok,
  detail: c.why,
  ...(c.signature ? { signature: formatSignature(c.signature) } : {}),
  ms: c.ms,
  cached: c.cached,
});

function fuseCellOf(f: Fused): Cell {
  const out = f.rec?.output;
  const detail = f.rec?.message ?? (out ? `${out.bytes} bytes, sha256 ${out.sha256.slice(0, 12)}` : "meld absent");
  return {
    step: "fuse",
    status: f.rec?.verdict ?? "skipped",
    ok: f.rec ? f.rec.verdict === "fused" : null,
    detail,
    ms: f.rec?.ms ?? 0,
    cached: f.cached,
  };
}

async function row(ctx: MatrixRun, run: FixtureRun, b: Build, mode: MemoryMode, form: Form): Promise<Row> {
  const { fx, sha } = run;
  const [f, comp] = await Promise.all([
    fuseCell(ctx, fx, sha, mode, form, b.meld),
    fuseCell(ctx, fx, sha, mode, "component", b.meld),
  ]);
  const fusedRef = fx.reference?.fused?.[mode] ?? run.refEngine;
  const c: RowCells = await Promise.all([
    run.refOrig,
    run.kilnOrig(b),
    fusedCell(ctx, fx, comp, fusedRef, ctx.ref[fusedRef], `${mode} component`, "reference(fused)"),
    fusedCell(ctx, fx, f, "kiln", b.kiln, `${mode} ${form}${b.label ? ` ${b.label}` : ""}`, "kiln(fused)"),
  ]).then(([refOrig, kilnOrig, refFused, kilnFused]) => ({ refOrig, kilnOrig, refFused, kilnFused }));
  const known = fx.knownMeld?.[mode];
  const fault = faultOf(f.rec, c);
  const inputs = {
    fixture: fx.name,
    mode,
    form,
    reference: run.refEngine,
    refOrig: c.refOrig,
    kilnOrig: c.kilnOrig,
    fuse: f.rec,
    kilnFused: c.kilnFused,
    unresolved: unresolvedImports(fx.file, f),
  };
  const d =
    fault ??
    decide(
      { ...inputs, ...(known ? { knownMeld: known } : {}), ...evidenceOf(form, fusedRef, c.refFused, comp) },
      ctx.options.ledger,
    );
  if (
    form === "component" &&
    b === ctx.builds[0] &&
    known?.outcome === "misfused" &&
    d.verdict !== "meld-bug" &&
    c.refFused.ok
  ) {
    ctx.notices.push(
      `${fx.name} (${mode}): the manifest records a meld mis-fusion, but the fused file now meets the expectation on ${fusedRef}: update fixtures/manifest.yaml`,
    );
  }
  const cells = [
    cellOf("reference(original)", c.refOrig),
    cellOf("kiln(original)", c.kilnOrig),
    fuseCellOf(f),
    cellOf("reference(fused)", c.refFused),
    cellOf("kiln(fused)", c.kilnFused),
  ];
  const r: Row = { fixture: fx.name, mode, form, ...(b.label ? { build: b.label } : {}), ...d, cells };
  if (fx.invokes.length) r.calls = rowCalls(fx, c);
  if (BUNDLE_VERDICTS.includes(r.verdict) && f.rec) {
    const made = f; // the row's own file: kilnd's failing calls on it are the bundle's steps
    Object.assign(r, await bundleRow(ctx, { fixture: fx, build: b, row: r, cells: c, fused: made, refName: fusedRef }));
  }
  return r;
}

/** Each --invoke call of the row, with the expected value and each engine's actual one. */
function rowCalls(fx: FixtureRun["fx"], c: RowCells): Row["calls"] {
  return callResults(fx.invokes, fx.expectedCalls ?? {}, [
    ["reference(original)", c.refOrig],
    ["kiln(original)", c.kilnOrig],
    ["reference(fused)", c.refFused],
    ["kiln(fused)", c.kilnFused],
  ]);
}

/** The row of a run that was not judged: a cell interrupted or killed from outside (not again on a rerun),
 * or meld stopped before it finished. Caps (timeout, --memory-limit, the output cap) are seam's documented
 * limits: those rows are judged, and their cell says which cap. */
function faultOf(fuse: FuseRecord | undefined, c: RowCells): Decision | undefined {
  const steps: [string, CellRun][] = [
    ["reference(original)", c.refOrig],
    ["kiln(original)", c.kilnOrig],
    ["reference(fused)", c.refFused],
    ["kiln(fused)", c.kilnFused],
  ];
  const why = fuse?.verdict === "fault" ? `fuse: ${fuse.message}` : undefined;
  const cell = steps.find(([, x]) => x.records.some((r) => r.verdict === "interrupted" || r.verdict === "killed"));
  const said = cell ? `${cell[0]}: ${cell[1].records.find((r) => r.fault)?.errorLine ?? cell[1].why}` : why;
  return said ? { verdict: "fault", outcome: "unexpected", why: `not judged: ${said}` } : undefined;
}

const toolRef = (t: ToolDigest | undefined) => (t ? { version: t.version, path: t.path, sha256: t.sha256 } : null);

/** kilnd's refusal of components (RFC #46), said once per build rather than once per fixture. */
function refusalNotices(ctx: MatrixRun, rows: Row[]): string[] {
  return ctx.builds.flatMap((b) => {
    const mine = rows.filter((r) => r.form === "component" && (r.build ?? "") === b.label && r.cells[1]!.ok !== null);
    const refused = new Set(mine.filter((r) => r.cells[1]!.status === "unsupported-form").map((r) => r.fixture));
    const which = b.label ? `kilnd of build ${b.label}` : "kilnd";
    const of = new Set(mine.map((r) => r.fixture)).size;
    return refused.size
      ? [
          `${which} runs core modules only (RFC #46): it refused ${refused.size} of the ${of} unfused components as components, so component rows have no kilnd baseline and are judged against the reference engine; the core form is kiln's own path`,
        ]
      : [];
  });
}

/** Runs the matrix on the real cores (lib/engines/fuse.ts, run.ts) and returns its report, unwritten. */
export async function runMatrix(o: MatrixOptions): Promise<TierCReport> {
  const fixtures = shardFixtures(o.fixtures, o.shard);
  const ctx = await prepareMatrixRun(o, fixtures);
  const rows = (await Promise.all(fixtures.map((fx) => fixtureRows(ctx, fx)))).flat();
  ctx.notices.unshift(...refusalNotices(ctx, rows));
  const [first] = ctx.builds;
  const refId = ctx.ref[o.reference];
  const reference = refId ? { engine: o.reference, version: refId.version } : null;
  const tools = { meld: toolRef(first!.meld), kilnd: toolRef(first!.kiln), reference, seam: { code: codeDigest() } };
  const options = {
    memory: o.modes,
    forms: ctx.options.forms,
    fixtures: fixtures.map((f) => f.name),
    strict: o.strict,
    ...(o.shard ? { shard: `${o.shard.index}/${o.shard.count}` } : {}),
  };
  const report = buildTierCReport(rows, tools, options, ctx.notices);
  const stopped = interruptedBy();
  if (stopped) report.interrupted = stopped;
  if (ctx.builds.length > 1)
    report.builds = ctx.builds.map((b) => ({ label: b.label, kilnd: toolRef(b.kiln), meld: toolRef(b.meld) }));
  return withBuildDiffs(report);
}

/** What each build after the first changes, compared with the first: the bisecting question, in one run. */
export function withBuildDiffs(report: TierCReport): TierCReport {
  const [first, ...rest] = report.builds ?? [];
  if (first)
    report.buildDiffs = rest.map((b) => compareReports(report, report, { baseBuild: first.label, headBuild: b.label }));
  return report;
}
