/**
 * records — the shapes fuse.ts and run-kiln.ts return and write as JSON. They live in lib/ because
 * tier-c, the fixture checks and the report renderers all read them; nothing here does I/O.
 */

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

export type FuseVerdict = "fused" | "refused" | "crashed" | "missing-tool";

export interface FuseRecord {
  schema: "seam.fuse/1";
  verdict: FuseVerdict;
  meld: ToolInfo | null;
  /** Exactly what ran, as argv and as one copy-pasteable shell line. */
  argv: string[];
  command: string;
  memory: "multi" | "shared";
  mode: "component" | "core";
  inputs: FileDigest[];
  output: FileDigest | null;
  ms: number;
  /** meld's own first error line (refused), the panic/signal (crashed), or the fix (missing-tool). */
  message?: string;
}

export type Engine = "kiln" | "jco" | "wasmtime";

export type RunVerdict = "passed" | "failed" | "trapped" | "exit-nonzero" | "timeout" | "crashed" | "missing-engine";

/** kiln's error signature `[Category][Ecode] message`, with the optional third bracket (ASIL level). */
export interface Signature {
  category: string;
  code: string;
  asil?: string;
  message: string;
}

export interface RunRecord {
  schema: "seam.run/1";
  engine: Engine;
  engineVersion: string;
  enginePath: string | null;
  wasm: string;
  command: string;
  invoke?: string;
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
  /** --invoke results, one per line as the engine printed them. */
  results?: string[];
  ms: number;
}

/** Formats a signature back to kiln's own text: `[Runtime][E0BBB] Export not found`. */
export function formatSignature(s: Signature): string {
  return `[${s.category}][${s.code}]${s.asil ? `[${s.asil}]` : ""} ${s.message}`;
}
