/**
 * attribution — whose bug a tier-c row is, from the cells' results and the known-blocker ledger. Pure.
 *
 * The evidence that separates meld from kiln is a reference engine running meld's output:
 * - component form: the reference runs the very fused component kilnd ran;
 * - core form: no reference engine runs meld's lowered core module (its imports are wasi:cli P2
 *   functions, lowered), so the evidence is meld's component output of the same input and memory mode.
 *   When meld refused that, nothing but kilnd can run the core module: the row is `unattributed`.
 * kilnd 0.4.4 runs no component at all (RFC #46): a baseline refused for its form is no baseline, never
 * a per-fixture `kiln-unsupported`.
 * A core module needs no engine to show one meld bug: an import of meld's core output that the original
 * does not import at its top level is something the composition provides and meld left unresolved
 * (compute_core_names, resources_across); kilnd failing such a module is meld's, `meld-bug`.
 */
import { consult, expectedText, type Blocker } from "./ledger.ts";
import {
  formatSignature,
  type Form,
  type FuseRecord,
  type MemoryMode,
  type RunRecord,
  type Signature,
} from "../engines/records.ts";
import type { Row } from "./report.ts";
import { kilnCannotPassArgs } from "./call-results.ts";

/** The evidence of a row kilnd fails on the unfused original already (kiln-unsupported by its baseline). */
export const BASELINE_EVIDENCE = "baseline: kilnd on the unfused original";

/** Whether a row's failure is kilnd's on the unfused original (the other kiln-unsupported rows are a
 * call kilnd cannot make, on the fused file). */
export function failsOnOriginal(r: Pick<Row, "verdict" | "evidence">): boolean {
  return r.verdict === "kiln-unsupported" && r.evidence === BASELINE_EVIDENCE;
}

/** One engine's result on one wasm for one fixture: every invoke (or the command once) judged. */
export interface CellRun {
  status: string;
  ok: boolean | null;
  why: string;
  signature?: Signature;
  records: RunRecord[];
  ms: number;
  cached: boolean;
}

export type KnownMeld = { outcome: "pass" | "refused" | "misfused"; message?: string };

/** What the reference engine ran as evidence for a row, and that run's cell. */
export interface Evidence {
  /** e.g. "wasmtime ran the same fused component". */
  what: string;
  engine: string;
  cell: CellRun;
}

export interface RowInputs {
  fixture: string;
  mode: MemoryMode;
  form: Form;
  /** The reference engine that judged the original. */
  reference: string;
  knownMeld?: KnownMeld;
  refOrig: CellRun;
  kilnOrig: CellRun;
  /** This row's fusion (its form). */
  fuse: FuseRecord | undefined;
  /** The reference run that vouches for meld's output; undefined when there is none (see header). */
  evidence?: Evidence;
  /** Why there is no evidence (core form: meld refused the component form). */
  noEvidence?: string;
  kilnFused: CellRun;
  /** Core form: the imports of meld's output the original does not import at its top level
   * (`seam:fixtures/math@0.1.0` `add`), each as text; read by lib/tierc/rows.ts. */
  unresolved?: string[];
}

export type Decision = Pick<Row, "verdict" | "outcome" | "why" | "blocker" | "actualSignature" | "evidence">;

const sigText = (c: CellRun) => (c.signature ? formatSignature(c.signature) : c.why);

export const refusesForm = (c: CellRun) => c.status === "unsupported-form";

function meldBug(r: RowInputs, ev: Evidence): Decision {
  const what = r.form === "core" ? "meld's component output of the same input" : "the fused output";
  const why = `${what} fails on ${ev.engine} while the original passes: ${ev.cell.why}`;
  const k = r.knownMeld;
  const known =
    k?.outcome === "misfused" &&
    (!k.message ||
      why.includes(k.message) ||
      ev.cell.records.some((x) => `${x.errorLine ?? ""} ${x.stderr}`.includes(k.message!)));
  if (known)
    return {
      verdict: "meld-bug",
      outcome: "expected",
      evidence: ev.what,
      why: `known meld mis-fusion (recorded in fixtures/manifest.yaml): ${why}`,
    };
  return { verdict: "meld-bug", outcome: "unexpected", evidence: ev.what, why };
}

/** A core module that imports what the original does not: meld left it unresolved, whatever kilnd says. */
function unresolvedImports(r: RowInputs): Decision | undefined {
  if (r.form !== "core" || !r.unresolved?.length || r.kilnFused.ok !== false) return undefined;
  const left = r.unresolved.join(", ");
  return {
    verdict: "meld-bug",
    outcome: "unexpected",
    evidence: "the core module's imports, read against the original's top-level imports",
    actualSignature: sigText(r.kilnFused),
    why: `meld left ${left} unresolved: the original does not import it at its top level (the composition provides it), yet meld's core output imports it; kilnd fails the module: ${r.kilnFused.why}`,
  };
}

/** Rows decided before kilnd's run matters: no oracle, a broken fixture, meld absent, refusing or crashing. */
function beforeKiln(r: RowInputs): Decision | undefined {
  if (r.refOrig.ok === null) return { verdict: "skipped", outcome: "ok", why: r.refOrig.why };
  if (!r.refOrig.ok)
    return {
      verdict: "reference-fail",
      outcome: "unexpected",
      why: `the original fails its expectation on ${r.reference}: ${r.refOrig.why}`,
    };
  if (!r.fuse || r.fuse.verdict === "missing-tool")
    return { verdict: "skipped", outcome: "ok", why: `meld absent: ${r.fuse?.message ?? "not run"}` };
  if (r.fuse.verdict === "refused")
    return { verdict: "fuse-refused", outcome: "ok", why: `meld refused the input: ${r.fuse.message}` };
  if (r.fuse.verdict === "crashed")
    return { verdict: "meld-bug", outcome: "unexpected", why: `meld crashed: ${r.fuse.message}` };
  return undefined;
}

/** A covered row, held against the ledger: expected, moved, or looking fixed. */
function byLedger(
  r: RowInputs,
  ledger: Blocker[],
  evidence: string,
  actualSignature: string | undefined,
): Decision | undefined {
  const l = consult(ledger, r.fixture, r.mode, r.form, !r.kilnFused.ok, r.kilnFused.signature);
  if (l.kind === "uncovered") return undefined;
  const blocker = { ref: l.blocker.ref, title: l.blocker.title, expected: expectedText(l.blocker) };
  if (l.kind === "xpass")
    return {
      verdict: "xpass",
      outcome: "xpass",
      blocker,
      evidence,
      why: `${l.blocker.ref} looks fixed for ${r.fixture} (${r.mode}, ${r.form}): remove the entry from the ledger`,
    };
  if (l.kind === "expected")
    return {
      verdict: "expected-fail",
      outcome: "expected",
      blocker,
      actualSignature,
      evidence,
      why: `known blocker ${l.blocker.ref}: ${actualSignature}`,
    };
  return {
    verdict: "blocker-moved",
    outcome: "moved",
    blocker,
    actualSignature,
    evidence,
    why: `${l.blocker.ref} moved: was ${expectedText(l.blocker)}, now ${actualSignature}`,
  };
}

/** An uncovered failure on kilnd: kiln's when the evidence vouches for meld's output, else unattributed. */
function kilnFailure(
  r: RowInputs,
  ev: Evidence | undefined,
  evidence: string,
  actualSignature: string | undefined,
): Decision {
  const fails = `kilnd fails ${r.form === "core" ? "the fused core module" : "the fused component"}: ${r.kilnFused.why}`;
  if (!ev)
    return {
      verdict: "unattributed",
      outcome: "unexpected",
      actualSignature,
      evidence,
      why: `${fails}; no reference engine can judge meld's output here (${r.noEvidence ?? "no reference run"})`,
    };
  const baseline =
    r.form === "core"
      ? ""
      : refusesForm(r.kilnOrig)
        ? "no kilnd baseline (kilnd runs no component); "
        : r.kilnOrig.ok
          ? "baseline passes on kilnd; "
          : "";
  const vouch =
    r.form === "core"
      ? `meld's component output of the same input passes on ${ev.engine}`
      : `the same fused component passes on ${ev.engine}`;
  return {
    verdict: "seam-bug",
    outcome: "unexpected",
    actualSignature,
    evidence,
    why: `${fails}; ${baseline}${vouch}`,
  };
}

/** The verdict of one fixture × mode × form, its ledger outcome, why, and the evidence it used. */
export function decide(r: RowInputs, ledger: Blocker[]): Decision {
  const early = beforeKiln(r) ?? unresolvedImports(r);
  if (early) return early;
  const ev = r.evidence?.cell.ok === null ? undefined : r.evidence;
  // The component form's evidence is the very file kilnd runs: if it is broken, the row is meld's. A core
  // row's evidence is another file, so it only decides whose a failure on kilnd is.
  if (ev && !ev.cell.ok && (r.form === "component" || r.kilnFused.ok === false)) return meldBug(r, ev);
  const evidence = ev ? ev.what : `none: ${r.noEvidence ?? "no reference run"}`;
  if (r.kilnFused.ok === null) {
    const ref = ev
      ? `; meld's ${r.form === "core" ? "component " : ""}output ${ev.cell.ok ? "passes" : "fails"} on ${ev.engine}`
      : "";
    return { verdict: "skipped", outcome: "ok", evidence, why: `${r.kilnFused.why}${ref}` };
  }
  if (r.form === "component" && r.kilnOrig.ok === false && !refusesForm(r.kilnOrig)) {
    const why = `the unfused original already fails on kilnd (${sigText(r.kilnOrig)}): not a seam problem`;
    return { verdict: "kiln-unsupported", outcome: "ok", evidence: BASELINE_EVIDENCE, why };
  }
  const noArgs = kilnCannotPassArgs(r.kilnFused);
  if (noArgs)
    return {
      verdict: "kiln-unsupported",
      outcome: "ok",
      evidence,
      why: `out of scope: kilnd cannot pass arguments to an export, in its own words: "${noArgs}"`,
    };
  const actualSignature = r.kilnFused.ok ? undefined : sigText(r.kilnFused);
  const known = byLedger(r, ledger, evidence, actualSignature);
  if (known) return known;
  if (!r.kilnFused.ok) return kilnFailure(r, ev, evidence, actualSignature);
  const runs = r.form === "core" ? "the fused core module" : "the fused component";
  const note =
    ev && !ev.cell.ok
      ? `; meld's component output of the same input fails on ${ev.engine}, which this row does not use`
      : "";
  return {
    verdict: "pass",
    outcome: "ok",
    evidence,
    why: `kilnd runs ${runs} and meets the expectation (${r.kilnFused.why})${note}`,
  };
}
