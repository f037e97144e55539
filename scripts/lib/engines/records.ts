/**
 * records — the JSON seam writes: every schema ID in one list (SCHEMAS), and the records fuse and run
 * return and write. They live in lib/engines/ because tier-c, the fixture checks and the report renderers
 * all read them; nothing here does I/O.
 */

/** Every schema ID seam writes or reads: a file's `schema` field names its shape and version. */
export const SCHEMAS = {
  /** fuse.ts's record (`<out>.json`, `--json`). */
  fuse: "seam.fuse/1",
  /** run-kiln.ts's record (`--json`). */
  run: "seam.run/1",
  /** out/tier-c/results.json: rows carry a `form`, tools their sha256. */
  tierC: "seam.tier-c/2",
  /** The tier-c results that compare, merge and the comment read (/1: no `form`, read as component). */
  tierCReadable: ["seam.tier-c/1", "seam.tier-c/2"] as readonly string[],
  /** out/tier-c/findings.json: the failing rows grouped by root cause (lib/tierc/findings/). */
  findings: "seam.tier-c-findings/1",
  /** tier-c compare's compare.json. */
  compare: "seam.tier-c-compare/1",
  /** fixtures/manifest.yaml. */
  manifest: "seam.fixtures/1",
  /** fixtures.ts build's and verify's `--json`. */
  fixturesBuild: "seam.fixtures-build/1",
  fixturesVerify: "seam.fixtures-verify/1",
  /** .tools/kilnd.json: the installed kilnd's provenance (lib/tools/kilnd-record.ts). */
  kilnd: "seam.kilnd/1",
  /** out/ls-gate/verification-results.json. */
  lsGate: "seam.ls-gate/1",
} as const;

export interface FileDigest {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ToolInfo {
  path: string;
  version: string;
  /** How the tool was found: "env MELD", ".tools", "PATH", "sibling", "--meld". */
  source: string;
}

/** meld's memory strategy for a fusion. */
export type MemoryMode = "multi" | "shared";
export const MEMORY_MODES: readonly MemoryMode[] = ["multi", "shared"];

/** Flags seam adds to every fusion on top of the form and memory mode: --reproducible, so a fused
 * artifact's sha256 is the same on every run and machine (repro bundles, caches and shards compare). */
export const FUSE_FLAGS = ["--reproducible"];

/** fault: meld did not finish on its own (seam interrupted it or its timeout ended it): no verdict on meld. */
export type FuseVerdict = "fused" | "refused" | "crashed" | "missing-tool" | "fault";

export interface FuseRecord {
  schema: typeof SCHEMAS.fuse;
  verdict: FuseVerdict;
  meld: ToolInfo | null;
  /** Exactly what ran, as argv and as one copy-pasteable shell line. */
  argv: string[];
  command: string;
  memory: MemoryMode;
  mode: Form;
  inputs: FileDigest[];
  output: FileDigest | null;
  ms: number;
  /** meld's own first error line (refused), the panic/signal (crashed), or the fix (missing-tool). */
  message?: string;
}

export type Engine = "kiln" | "jco" | "wasmtime";

/** What meld writes and kilnd runs: a P2 component (`meld fuse --component`, `kilnd --component`) or a
 * core module (meld's default output; kiln's own path since RFC #46: `kilnd FILE --wasi`). */
export type Form = "component" | "core";
export const FORMS: readonly Form[] = ["component", "core"];

/** unsupported-form: the engine refused the input's form itself (kilnd 0.4.4 runs no component).
 * The faults (RUN_FAULTS) are runs that did not finish on their own: never a judgement of the input. */
export type RunVerdict =
  | "passed"
  | "failed"
  | "trapped"
  | "exit-nonzero"
  | "unsupported-form"
  | "timeout"
  | "crashed"
  | "missing-engine"
  | RunFault;

/** How a run can end without a judgement: seam interrupted it (a signal to seam), it went over seam's
 * memory or output cap, or a signal seam did not send killed it (the kernel's OOM killer, a person). */
export type RunFault = "interrupted" | "memory-limit" | "output-limit" | "killed";
export const RUN_FAULTS: readonly RunVerdict[] = ["interrupted", "memory-limit", "output-limit", "killed"];
/** The faults that are seam's own documented caps (like the timeout): a row may be attributed to them,
 * and then says which cap. The others are never a verdict on meld or kiln. */
export const CAP_FAULTS: readonly RunVerdict[] = ["timeout", "memory-limit", "output-limit"];

/** A value an export returned, as kilnd types it (`I32(42)`): type and the number's text. */
export interface TypedValue {
  type: string;
  text: string;
}

/** What kilnd's own lines said about a run, beyond the verdict. */
export interface KilnFacts {
  /** `[WASI-TRACE]` lines on stderr: one per WASI call the guest made. */
  wasiCalls: number;
  /** kilnd's `[ERROR]` lines, in order. */
  errors: string[];
  /** The stats block, when kilnd printed one. */
  fuel?: number;
  peakMemoryBytes?: number;
}

/** kiln's error signature `[Category][Ecode] message`, with the optional third bracket (ASIL level). */
export interface Signature {
  category: string;
  code: string;
  asil?: string;
  message: string;
}

export interface RunRecord {
  schema: typeof SCHEMAS.run;
  engine: Engine;
  engineVersion: string;
  enginePath: string | null;
  wasm: string;
  /** The input's form, read from its bytes. */
  form: Form;
  command: string;
  invoke?: string;
  /** The export the engine was told to call, when it is not `invoke` as given: on a core module the core
   * export (kilnd's `--function`), on a component the full name a short `--invoke` stands for. */
  function?: string;
  verdict: RunVerdict;
  /** Engine process exit status as recorded (kiln's is not trusted for the verdict). */
  exitCode: number | null;
  signal: string | null;
  signature?: Signature;
  /** The first line that explains a failure (kiln's error text, jco's first stderr line). */
  errorLine?: string;
  /** The guest's own stdout, with engine banners and stats removed; capped. */
  stdout: string;
  stdoutBytes: number;
  stdoutSha256: string;
  stdoutTruncated: boolean;
  stderr: string;
  /** --invoke results, one per line as the engine printed them (kilnd's typed values as plain numbers). */
  results?: string[];
  /** kilnd's typed results (`I32(-36)`), so an unsigned expectation can be compared bit for bit. */
  values?: TypedValue[];
  /** exit-nonzero: the guest's exit status as the engine observed it (a P2 exit is 0 or 1), or null when it showed none. */
  guestExit?: number | null;
  kiln?: KilnFacts;
  ms: number;
  /** A fault's cause in words (the signal, the cap and by how much); also set when a rerun was needed. */
  fault?: string;
}

/** Formats a signature back to kiln's own text: `[Runtime][E0BBB] Export not found`. */
export function formatSignature(s: Signature): string {
  return `[${s.category}][${s.code}]${s.asil ? `[${s.asil}]` : ""} ${s.message}`;
}
