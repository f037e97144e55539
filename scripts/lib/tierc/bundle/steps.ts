/**
 * steps — what a repro bundle is made of: the failing row in upstream's words, and one step per failing
 * kilnd call (the command, or each export), each with what kilnd must do to meet the expectation, as
 * repro.sh tests it. Pure; lib/tierc/bundle/row.ts builds a ReproInput, script.ts and text.ts render it.
 */
import type { Form, FuseRecord, MemoryMode, RunRecord } from "../../engines/records.ts";

/** What kilnd must do in a step: print this guest stdout and exit so, trap, or return one of `values`. */
export type StepExpect =
  | { kind: "stdout"; exit: number; stdoutFile?: string; stdout?: string; sha256?: string; bytes?: number }
  | { kind: "trap" }
  | { kind: "result"; values: string[] };

export interface ReproStep {
  /** The call, as kilnd's flag says it (`--invoke compute`, `--function add`); none for a command. */
  call?: string;
  /** kilnd's arguments, with the bundle's own file names. */
  args: string[];
  expect: StepExpect;
  /** The row's own run of this call, and how it missed the expectation. */
  record: RunRecord;
  missed: string;
}

/** A source file of the fixture, shown inline in REPRO.md. */
export interface GuestSource {
  path: string;
  text: string;
}

export interface ReproInput {
  fixture: string;
  mode: MemoryMode;
  form: Form;
  /** Whose bug the evidence says it is. */
  side: "kiln" | "meld";
  /** The issue title, and one paragraph saying what happens. */
  title: string;
  summary: string;
  /** The file the steps run (`fused.core.wasm`, or `original.wasm` for a failure of the original). */
  wasm: string;
  fuse: FuseRecord;
  /** meld's flags after `-o OUTPUT`. */
  meldFlags: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  steps: ReproStep[];
  /** The expectation in words, and what the reference engine did on the original. */
  expectText: string;
  expected: string;
  /** What the reference engine did with meld's output, the evidence, a known upstream issue. */
  reference?: string;
  evidence: string;
  baseline?: string;
  blocker?: string;
  tools: { kilnd: string; meld: string; reference: string };
  originalPath: string;
  fusedPath?: string;
  sources: GuestSource[];
  /** Where the guest's source is when the bundle does not show it. */
  sourceNote?: string;
}

/** The fused file's name in a bundle: its form says how kilnd must run it. */
export function fusedName(fuse: Pick<FuseRecord, "mode">): string {
  return `fused.${fuse.mode}.wasm`;
}

/** The values kilnd may print for an expected result: the text, and for an integer its signed 32/64-bit
 * readings (kilnd types a u32 4098775966 as I32(-196191330)). */
export function resultValues(expected: string): string[] {
  if (!/^-?\d+$/.test(expected)) return [expected];
  const n = BigInt(expected);
  const out = new Set([expected]);
  for (const bits of [32, 64]) {
    if (n >= -(2n ** BigInt(bits - 1)) && n < 2n ** BigInt(bits)) out.add(BigInt.asIntN(bits, n).toString());
  }
  return [...out];
}

/** A fuse record as a bundle keeps it: file names as in the bundle, no path of the machine that made it. */
export function portableFuse(f: FuseRecord): FuseRecord {
  const output = fusedName(f);
  const flags = f.argv.slice(4 + f.inputs.length);
  const argv = ["meld", "fuse", "original.wasm", "-o", output, ...flags];
  return {
    ...f,
    meld: f.meld ? { ...f.meld, path: "meld", source: f.meld.source } : null,
    argv,
    command: argv.join(" "),
    inputs: f.inputs.map((i) => ({ ...i, path: "original.wasm" })),
    output: f.output ? { ...f.output, path: output } : null,
  };
}
