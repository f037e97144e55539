/**
 * types — the shapes compare reads (every field beyond a row's key and verdict optional, so
 * older and newer results both read) and the diff it returns, with the change classes and --fail-on.
 */
import { SCHEMAS } from "../engines/records.ts";

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
  schema: typeof SCHEMAS.compare;
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

/** A row's key: fixture × memory × form (a row written before forms is the component form). */
export const keyOf = (r: { fixture: string; mode: string; form?: string }) =>
  `${r.fixture}\0${r.mode}\0${r.form ?? "component"}`;
