/**
 * row — a failing tier-c row's repro bundle: which run failed on which file and what it should
 * have done (the ReproInput lib/tierc/bundle/write.ts writes), then one re-run of repro.sh, cached like any cell.
 */
import { join, relative } from "node:path";
import type { CellRun } from "../attribution.ts";
import { rerunBundle, writeBundle } from "./write.ts";
import type { ReproInput } from "./text.ts";
import { reproKey } from "../cache.ts";
import type { MatrixFixture, RefEngine } from "../matrix.ts";
import type { Build, MatrixRun, Fused } from "../cells.ts";
import { formatSignature } from "../../engines/records.ts";
import { toolName } from "../render.ts";
import type { Row } from "../report.ts";
import { lookupTool } from "../../tools/lookup.ts";

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

/** The cell whose run failed, for the row's verdict, and the engine that ran it. */
function failingSide(r: Row, c: RowCells, f: Fused): { engine: ReproInput["failing"]["engine"]; cell?: CellRun } {
  if (["seam-bug", "expected-fail", "blocker-moved", "unattributed"].includes(r.verdict))
    return { engine: "kiln", cell: c.kilnFused };
  if (r.verdict === "kiln-unsupported") return { engine: "kiln", cell: c.kilnOrig };
  if (r.verdict === "meld-bug" && f.rec?.verdict === "fused") return { engine: "wasmtime", cell: c.refFused };
  if (r.verdict === "reference-fail") return { engine: "wasmtime", cell: c.refOrig };
  return { engine: "meld-only" };
}

/** What REPRO.md says beside the failure: the baseline, the reference's run, the evidence, the blocker. */
function context(ctx: MatrixRun, { row: r, cells: c, refName }: FailingRow): Partial<ReproInput> {
  const describe = (x: CellRun) => `${x.status}${x.ok ? " — meets the expectation" : ` — ${x.why}`}`;
  const on = r.form === "core" ? "it" : "fused.component.wasm";
  return {
    ...(r.form === "component" && c.kilnOrig.ok !== null ? { baseline: describe(c.kilnOrig) } : {}),
    ...(c.refFused.ok !== null
      ? { reference: `${refName} ${ctx.ref[refName]?.version ?? ""} on ${on}: ${describe(c.refFused)}` }
      : {}),
    ...(r.evidence ? { evidence: r.evidence } : {}),
    ...(r.blocker ? { blocker: `${r.blocker.ref} — ${r.blocker.title} (expects ${r.blocker.expected})` } : {}),
  };
}

/** The repro input of a failing row: which run failed, on which file, and what it should have done. */
function reproInput(ctx: MatrixRun, row: FailingRow): ReproInput {
  const { fixture: fx, build: b, row: r, cells: c, fused: f, refName } = row;
  const side = failingSide(r, c, f);
  const records = side.cell?.records ?? [];
  const record = records.find((x) => x.verdict !== "passed") ?? records.find((x) => !fx.judge(x, x.invoke).ok);
  const kiln = b.kiln ? toolName({ version: b.kiln.version, path: b.kiln.path, sha256: b.kiln.sha256 }) : "absent";
  const on = r.verdict === "kiln-unsupported" || r.verdict === "reference-fail" ? "original" : "fused";
  return {
    fixture: fx.name,
    mode: r.mode,
    form: r.form,
    verdict: r.verdict,
    why: r.why,
    failing: { engine: side.engine, on, ...(record ? { record, missed: fx.judge(record, record.invoke).why } : {}) },
    fuse: f.rec!,
    args: fx.args,
    env: fx.env,
    ...(fx.stdin ? { stdin: fx.stdin } : {}),
    ...(record?.invoke ? { invoke: record.invoke } : {}),
    expectText: fx.expectText,
    ...(fx.expectedStdout !== undefined ? { expectedStdout: fx.expectedStdout } : {}),
    ...context(ctx, row),
    tools: [
      `meld ${b.meld?.version ?? "absent"}`,
      `kilnd ${kiln}`,
      `${refName} ${ctx.ref[refName]?.version ?? "absent"}`,
    ],
    originalPath: fx.file,
    fusedPath: f.path,
    captured: Object.fromEntries(
      records.flatMap((x, i) => [
        [`${x.engine}-${i}.stdout.txt`, x.stdout],
        [`${x.engine}-${i}.stderr.txt`, x.stderr],
      ]),
    ),
  };
}

/** Writes the repro bundle for a failing row and re-runs its repro.sh once (cached like any cell). */
export async function bundleRow(ctx: MatrixRun, row: FailingRow): Promise<Pick<Row, "bundle" | "reproduced">> {
  const { options: o, cache } = ctx;
  const { fixture: fx, build: b, row: r, fused: f } = row;
  const name = `${fx.name}-${r.mode}-${r.form}${b.label ? `-${b.label}` : ""}`;
  const dir = join(o.outDir, name);
  const input = reproInput(ctx, row);
  const engine = input.failing.engine;
  const wasmtime = lookupTool("wasmtime", { env: o.env }).found;
  const canRun = b.meld && (engine !== "kiln" || b.kiln) && (engine !== "wasmtime" || wasmtime);
  const rec = input.failing.record;
  const wanted = rec
    ? `${rec.verdict}|${rec.signature ? formatSignature(rec.signature) : ""}|${rec.stdoutSha256}`
    : `${f.rec!.verdict}: ${f.rec!.message ?? ""}`;
  const key = reproKey({ bundle: name, wanted, fusedSha: f.rec!.output?.sha256, meld: b.meld, kiln: b.kiln });
  writeBundle(dir, input, "pending");
  let reproduced: Row["reproduced"] = "not run";
  if (canRun) {
    reproduced = cache.get<{ reproduced: Row["reproduced"] }>(key)?.reproduced;
    if (!reproduced) {
      const tools = {
        meld: b.meld!.path,
        ...(b.kiln ? { kilnd: b.kiln.path } : {}),
        ...(wasmtime ? { wasmtime: wasmtime.path } : {}),
      };
      reproduced = await rerunBundle(dir, input, tools, o.timeoutMs * 2, o.env ?? {});
      cache.put(key, { reproduced });
    }
  }
  writeBundle(dir, input, reproduced ?? "not run");
  return { bundle: relative(o.outDir, dir), reproduced };
}
