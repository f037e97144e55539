/**
 * compare-rows — literal tier-c results rows and reports for compare's tests (a pass, a seam-bug with
 * kiln's E0BBB), and a catcher for the SeamError a bad input throws. Tests only.
 */
import type { ComparableReport, ComparableRow, RowState } from "../lib/compare/types.ts";
import type { compareReports } from "../lib/compare/compare.ts";
import { SeamError } from "../lib/core/errors.ts";

export const E0BBB = "[Runtime][E0BBB] Export not found";
export const E2199 = "[Runtime][E2199] out of bounds memory access";

export const pass = (fixture: string, over: Partial<ComparableRow> = {}): ComparableRow => ({
  fixture,
  mode: "multi",
  verdict: "pass",
  outcome: "ok",
  why: "fused runs on kilnd",
  ...over,
});
export const seamBug = (fixture: string, sig = E0BBB, over: Partial<ComparableRow> = {}): ComparableRow => ({
  fixture,
  mode: "multi",
  verdict: "seam-bug",
  outcome: "unexpected",
  why: `fused fails: ${sig}`,
  actualSignature: sig,
  ...over,
});
export const results = (rows: ComparableRow[], over: Partial<ComparableReport> = {}): ComparableReport => ({
  schema: "seam.tier-c/1",
  generatedAt: "2026-01-01T00:00:00Z",
  tools: {
    meld: { version: "0.65.1", path: "/m" },
    kilnd: { version: "0.4.4", path: "/k", sha256: "1".repeat(64) },
    reference: { engine: "jco", version: "1.35.0" },
  },
  rows,
  ...over,
});
export const classes = (d: ReturnType<typeof compareReports>) =>
  d.changes.map((c) => `${c.fixture}/${c.mode}/${c.form}: ${c.class}`);
export const st = (verdict: string, outcome: string, signature?: string): RowState => ({
  verdict,
  outcome,
  why: "",
  ...(signature ? { signature } : {}),
});

export function seamError(f: () => unknown): SeamError {
  try {
    f();
  } catch (e) {
    if (e instanceof SeamError) return e;
    throw e;
  }
  throw new Error("no SeamError");
}
