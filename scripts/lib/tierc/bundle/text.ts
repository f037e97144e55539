/**
 * text — what a repro bundle says: repro.sh (the exact meld and engine lines, relative to the
 * bundle's folder, runnable from anywhere, POSIX sh) and REPRO.md (ready to paste into an upstream
 * issue, with the expected and the actual guest output). Pure.
 */
import { shellLine, shellQuote } from "../../core/proc.ts";
import { escapeControl, mdCode, mdFence, mdInert } from "../../core/render.ts";
import { formatSignature, type Form, type FuseRecord, type MemoryMode, type RunRecord } from "../../engines/records.ts";

/** What a repro bundle is made from: the failing row, the runs that show it, and the files to copy. */
export interface ReproInput {
  fixture: string;
  mode: MemoryMode;
  /** The form of the row (the fused file's form). */
  form: Form;
  verdict: string;
  why: string;
  /** Which engine run failed (decides the last line of repro.sh), and how it missed the expectation. */
  failing: { engine: "kiln" | "wasmtime" | "meld-only"; on: "original" | "fused"; record?: RunRecord; missed?: string };
  /** The fusion that made the failing artifact (for a core row's meld-bug: the component evidence). */
  fuse: FuseRecord;
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  invoke?: string;
  expectText: string;
  /** The exact stdout the fixture must print, when it names one (shown beside the actual output). */
  expectedStdout?: string;
  baseline?: string;
  reference?: string;
  evidence?: string;
  blocker?: string;
  tools: string[];
  originalPath: string;
  fusedPath?: string;
  captured: Record<string, string>;
}

/** The fused file's name in the bundle: its form says how kilnd must run it. */
export function fusedName(fuse: FuseRecord): string {
  return `fused.${fuse.mode}.wasm`;
}

/** The engine line of repro.sh, relative to the bundle folder. */
export function engineLine(r: ReproInput, kilnd = '"$KILND"', wasmtime = '"$WASMTIME"'): string | undefined {
  const wasm = r.failing.on === "fused" ? fusedName(r.fuse) : "original.wasm";
  const component = r.failing.on === "original" || r.fuse.mode === "component";
  const stdin = r.stdin ? " < stdin.bin" : "";
  if (r.failing.engine === "kiln") {
    const rest = [
      wasm,
      ...(component ? ["--component"] : []),
      "--wasi",
      ...r.args.flatMap((a) => ["--wasi-arg", a]),
      ...Object.keys(r.env).flatMap((k) => ["--wasi-env", k]),
    ];
    if (r.invoke) rest.push(component ? "--invoke" : "--function", r.failing.record?.function ?? r.invoke);
    return `${kilnd} ${shellLine(rest)}${stdin}`;
  }
  if (r.failing.engine === "wasmtime") {
    const rest = ["run", ...Object.entries(r.env).flatMap(([k, v]) => ["--env", `${k}=${v}`])];
    if (r.invoke) rest.push("--invoke", `${r.invoke}()`);
    return `${wasmtime} ${shellLine([...rest, wasm, ...r.args])}${stdin}`;
  }
  return undefined;
}

/** The meld line of repro.sh: the recorded flags, with the bundle's own file names. */
export function meldLine(f: FuseRecord, meld = '"$MELD"'): string {
  // argv is [meld, "fuse", ...inputs, "-o", output, ...flags]
  const flags = f.argv.slice(4 + f.inputs.length);
  return `${meld} ${shellLine(["fuse", "original.wasm", "-o", fusedName(f), ...flags])}`;
}

export function reproScript(r: ReproInput): string {
  const line = engineLine(r);
  const exports = Object.entries(r.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  return [
    "#!/bin/sh",
    `# seam repro: ${r.fixture} (${r.mode} memory, ${r.form} form) — ${r.verdict}. Run from anywhere: sh repro.sh`,
    "# Tools from MELD / KILND / WASMTIME, else from PATH.",
    "set -u",
    'cd "$(dirname "$0")"',
    'MELD="${MELD:-meld}"',
    'KILND="${KILND:-kilnd}"',
    'WASMTIME="${WASMTIME:-wasmtime}"',
    ...exports,
    `${meldLine(r.fuse)} > meld.log 2>&1 || { cat meld.log; exit 1; }`,
    ...(line ? [line] : ["cat meld.log"]),
    "",
  ].join("\n");
}

function digestRow(name: string, d: { sha256: string; bytes: number } | null | undefined): string {
  return d ? `| ${name} | \`${d.sha256}\` | ${d.bytes} |` : `| ${name} | — | — |`;
}

/** A stream shown in REPRO.md: fenced, cut at 2,000 characters with a note. */
function shownOutput(text: string): string[] {
  if (text === "") return ["(nothing)"];
  const cut = text.length > 2000 ? `${text.slice(0, 2000)}\n[… ${text.length - 2000} more characters]` : text;
  return [mdFence(cut, "text"), ...(cut.endsWith("\n") ? [] : ["(no newline at the end)"])];
}

/** What failed, as one line: kiln's signature, else the record's own error line, else how a run that
 * ended normally missed the expectation. */
function actualText(r: ReproInput): string {
  const rec = r.failing.record;
  if (!rec) return r.fuse.message ?? r.fuse.verdict;
  if (rec.signature) return formatSignature(rec.signature);
  if (rec.verdict === "passed")
    return `${rec.engine === "kiln" ? "kilnd" : rec.engine} completes, but ${r.failing.missed ?? "the result differs"}`;
  return rec.errorLine ?? rec.verdict;
}

export function reproMarkdown(r: ReproInput, reproduced: string): string {
  const actual = escapeControl(actualText(r));
  const engine = engineLine(r, "kilnd", "wasmtime");
  const script = [
    ...Object.entries(r.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    meldLine(r.fuse, "meld"),
    ...(engine ? [engine] : []),
  ];
  const guest = r.failing.record && !r.invoke ? r.failing.record.stdout : undefined;
  return [
    `# ${mdInert(r.fixture)} (${r.mode} memory, ${r.form} form): ${r.verdict} — ${mdCode(actual)}`,
    "",
    mdInert(r.why),
    "",
    "## What ran",
    "",
    mdFence(script.join("\n"), "sh"),
    "",
    `**Expected** (seam fixture manifest): ${r.expectText}`,
    "",
    `**Actual**: ${mdCode(actual)}`,
    "",
    ...(r.expectedStdout !== undefined && guest !== undefined
      ? [
          "Expected guest stdout:",
          "",
          ...shownOutput(r.expectedStdout),
          "",
          "Actual guest stdout:",
          "",
          ...shownOutput(guest),
          "",
        ]
      : []),
    ...(r.baseline ? [`**Baseline** (unfused original on kilnd): ${r.baseline}`, ""] : []),
    ...(r.reference
      ? [
          r.form === "core"
            ? `**meld's component output of the same input is valid** (no reference engine runs a lowered core module) — ${r.reference}`
            : `**The fused artifact is valid** — reference engine: ${r.reference}`,
          "",
        ]
      : []),
    ...(r.evidence ? [`**Evidence used**: ${r.evidence}`, ""] : []),
    ...(r.blocker ? [`**Known blocker**: ${r.blocker}`, ""] : []),
    "| file | sha256 | bytes |",
    "|---|---|---|",
    digestRow("original.wasm", r.fuse.inputs[0]),
    digestRow(fusedName(r.fuse), r.fuse.output),
    "",
    `**Tools**: ${r.tools.join(", ")}`,
    "",
    `**Reproduce**: \`sh repro.sh\` in this folder (\`MELD=/path/to/meld KILND=/path/to/kilnd sh repro.sh\`).`,
    "",
    `seam re-ran repro.sh: **${reproduced}**.`,
    "",
  ].join("\n");
}
