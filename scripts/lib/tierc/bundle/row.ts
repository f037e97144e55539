/**
 * row — a failing tier-c row's repro bundle: the kilnd calls that failed on the row's file, one step each,
 * with what each should have done (the ReproInput lib/tierc/bundle/write.ts writes), then one run of its
 * repro.sh, which keeps kilnd's exact output of each step; cached like any cell.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { failsOnOriginal, type CellRun } from "../attribution.ts";
import { rerunBundle, writeBundle, type Rerun } from "./write.ts";
import {
  fusedName,
  resultValues,
  type GuestSource,
  type ReproInput,
  type ReproStep,
  type StepExpect,
} from "./steps.ts";
import { reproTitle, reproSummary } from "./title.ts";
import { reproKey } from "../cache.ts";
import type { MatrixFixture, RefEngine } from "../matrix.ts";
import type { Build, MatrixRun, Fused } from "../cells.ts";
import { formatSignature, type RunRecord } from "../../engines/records.ts";
import type { Row } from "../report.ts";
import type { ToolDigest } from "../cache.ts";

export type RowCells = { refOrig: CellRun; kilnOrig: CellRun; refFused: CellRun; kilnFused: CellRun };

/** A row that needs a bundle: its fixture, build, cells, fused file and the reference engine that judged it. */
export interface FailingRow {
  fixture: MatrixFixture;
  build: Build;
  row: Row;
  cells: RowCells;
  fused: Fused;
  refName: RefEngine;
}

/** kilnd as a bundle names it: its version when it reports one, and its sha256 (never its path). */
export function kilnIdentity(t: ToolDigest | undefined): string {
  if (!t) return "absent";
  return `${t.version === "unknown" ? "version not reported (kilnd has no --version)" : t.version}, sha256 \`${t.sha256}\``;
}

/** The kilnd cell the row's failure is about: kilnd on the original for a failure of the original, else on the row's file. */
function kilnCell(r: Row, c: RowCells): { cell: CellRun; onOriginal: boolean } {
  return failsOnOriginal(r) ? { cell: c.kilnOrig, onOriginal: true } : { cell: c.kilnFused, onOriginal: false };
}

/** What kilnd must do in the call `rec` made. */
function stepExpect(fx: MatrixFixture, rec: RunRecord, n: number): StepExpect {
  const call = rec.invoke
    ? fx.calls?.find((x) => x.export === rec.invoke || x.export.endsWith(`#${rec.invoke}`))
    : undefined;
  if (call) return call.trap ? { kind: "trap" } : { kind: "result", values: resultValues(call.result ?? "") };
  const e = fx.command;
  if (!e || e.kind === "trap") return { kind: "trap" };
  return e.stdoutSha256
    ? { kind: "stdout", exit: e.exit, sha256: e.stdoutSha256, bytes: e.stdoutBytes ?? 0 }
    : { kind: "stdout", exit: e.exit, stdout: e.stdout ?? "", stdoutFile: `step-${n}.expected.stdout` };
}

/** One step per failing kilnd call, with the bundle's file names. */
function steps(fx: MatrixFixture, records: RunRecord[], wasm: string, component: boolean): ReproStep[] {
  const failing = records.filter((x) => !fx.judge(x, x.invoke).ok);
  return failing.map((rec, i) => {
    const callName = rec.invoke ? (component ? rec.invoke : (rec.function ?? rec.invoke)) : undefined;
    const call = callName ? `${component ? "--invoke" : "--function"} ${callName}` : undefined;
    const args = [wasm, ...(component ? ["--component"] : []), "--wasi"];
    for (const a of fx.args) args.push("--wasi-arg", a);
    for (const k of Object.keys(fx.env)) args.push("--wasi-env", k);
    if (call) args.push(...call.split(" "));
    return {
      ...(call ? { call } : {}),
      args,
      expect: stepExpect(fx, rec, i + 1),
      record: rec,
      missed: missedText(rec, fx),
    };
  });
}

/** How a kilnd run missed: its signature, else its error line, else the judge's words. */
function missedText(rec: RunRecord, fx: MatrixFixture): string {
  if (rec.signature) return `kilnd fails with \`${formatSignature(rec.signature)}\``;
  const why = fx.judge(rec, rec.invoke).why;
  return rec.verdict === "passed"
    ? `kilnd completes, but ${why}`
    : `${why}${rec.errorLine ? ` (${rec.errorLine})` : ""}`;
}

function sources(fx: MatrixFixture): GuestSource[] {
  return (fx.sources ?? [])
    .filter((s) => existsSync(s.path))
    .map((s) => ({ path: `fixtures/${s.name}`, text: readFileSync(s.path, "utf8").slice(0, 8000) }));
}

/** Why the failure is on this side, in upstream's words (the row's `why` uses seam's). */
function evidenceText(r: Row, c: RowCells, ref: string): string {
  const orig = c.refOrig.ok
    ? `The unfused original meets the expectation on ${ref}`
    : `${ref} on the unfused original: ${c.refOrig.why}`;
  if (r.verdict === "meld-bug" && /^meld left /.test(r.why)) return r.why.replace(/; kilnd fails the module: .*$/, ".");
  if (r.verdict === "meld-bug")
    return `${orig}, but not meld's ${r.form === "core" ? "component output of the same input" : "fused component"}: ${c.refFused.why}. meld's output is broken; kilnd's failure follows from it.`;
  if (failsOnOriginal(r)) return `kilnd fails the unfused original already: ${c.kilnOrig.why}.`;
  if (r.verdict === "kiln-unsupported") return `${orig}; kilnd cannot make the call: ${c.kilnFused.why}.`;
  if (r.verdict === "unattributed")
    return `${orig}. No reference engine runs a lowered core module, and meld refused the component form, so nothing but kilnd has run this module: whose fault it is stays open.`;
  return r.form === "core"
    ? `${orig}, and so does meld's component output of the same input and memory mode (\`meld fuse original.wasm --component …\`), which this core module lowers: ${c.refFused.why}. The fault is in kilnd's run of the core module.`
    : `${orig}, and so does the very fused component kilnd fails: ${c.refFused.why}. The fault is in kilnd's run of it.`;
}

/** The repro input of a failing row: the failing kilnd calls, on which file, and what they should have done. */
function reproInput(ctx: MatrixRun, row: FailingRow): ReproInput {
  const { fixture: fx, build: b, row: r, cells: c, fused: f, refName } = row;
  const { cell, onOriginal } = kilnCell(r, c);
  const wasm = onOriginal ? "original.wasm" : fusedName(f.rec!);
  const component = onOriginal || f.rec!.mode === "component";
  const ref = `${refName} ${ctx.ref[refName]?.version ?? "absent"}`;
  const describe = (x: CellRun) => (x.ok ? `meets the expectation (${x.why})` : x.why);
  const input: ReproInput = {
    fixture: fx.name,
    mode: r.mode,
    form: r.form,
    side: r.verdict === "meld-bug" ? "meld" : "kiln",
    title: "",
    summary: "",
    wasm,
    fuse: f.rec!,
    meldFlags: f.rec!.argv.slice(4 + f.rec!.inputs.length),
    env: fx.env,
    ...(fx.stdin ? { stdin: fx.stdin } : {}),
    steps: steps(fx, cell.records, wasm, component),
    expectText: fx.expectText,
    expected: `${ref} on the unfused original: ${describe(c.refOrig)}.`,
    ...(c.refFused.ok !== null
      ? {
          reference: `${ref} on ${r.form === "core" ? "meld's component output of the same input" : "the same fused component"}: ${describe(c.refFused)}`,
        }
      : {}),
    ...(r.form === "component" && c.kilnOrig.ok !== null
      ? {
          baseline: c.kilnOrig.signature
            ? `kilnd fails with \`${formatSignature(c.kilnOrig.signature)}\``
            : c.kilnOrig.why,
        }
      : {}),
    evidence: evidenceText(r, c, ref),
    ...(r.blocker ? { blocker: `${r.blocker.ref} (${r.blocker.title})` } : {}),
    tools: { kilnd: kilnIdentity(b.kiln), meld: b.meld?.version ?? "absent", reference: ref },
    originalPath: fx.file,
    fusedPath: f.path,
    sources: sources(fx),
    sourceNote: "The component was given as a binary; its source is not in this bundle.",
  };
  return { ...input, title: reproTitle(input, r), summary: reproSummary(input, r) };
}

const toBase64 = (raw: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
const fromBase64 = (raw: Record<string, string>) =>
  Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, "base64"))]));

/** Writes the repro bundle for a failing row and runs its repro.sh once (cached like any cell). */
export async function bundleRow(ctx: MatrixRun, row: FailingRow): Promise<Pick<Row, "bundle" | "reproduced">> {
  const { options: o, cache } = ctx;
  const { fixture: fx, build: b, row: r, fused: f } = row;
  const name = `${fx.name}-${r.mode}-${r.form}${b.label ? `-${b.label}` : ""}`;
  const dir = join(o.outDir, name);
  const input = reproInput(ctx, row);
  const wanted = input.steps
    .map(
      (s) =>
        `${s.call}|${s.record.verdict}|${s.record.signature ? formatSignature(s.record.signature) : s.record.stdoutSha256}`,
    )
    .join(";");
  const key = reproKey({ bundle: `${name}|2`, wanted, fusedSha: f.rec!.output?.sha256, meld: b.meld, kiln: b.kiln });
  writeBundle(dir, input, "was not run (no kilnd)");
  if (!b.kiln || !input.steps.length) return { bundle: relative(o.outDir, dir), reproduced: "not run" };
  const hit = cache.get<{ reproduced: Rerun["reproduced"]; raw: Record<string, string> }>(key);
  let rerun: Rerun;
  if (hit) rerun = { reproduced: hit.reproduced, raw: fromBase64(hit.raw) };
  else {
    rerun = await rerunBundle(dir, b.kiln.path, o.timeoutMs * 2, o.env ?? {});
    if (!rerun.fault) cache.put(key, { reproduced: rerun.reproduced, raw: toBase64(rerun.raw) }); // a fault is no answer
  }
  const said = rerun.fault
    ? `could not be re-run here (${rerun.fault})`
    : rerun.reproduced === "same signature"
      ? "exited 1 and printed REPRODUCED"
      : "did not reproduce this failure";
  writeBundle(dir, input, said, rerun.raw);
  return { bundle: relative(o.outDir, dir), reproduced: rerun.reproduced };
}
