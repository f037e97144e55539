/**
 * bundle — the repro bundle tier-c leaves for every failure: the original and fused wasm, repro.sh (the
 * exact meld and engine lines, no absolute paths, runnable from its own folder), REPRO.md ready to paste
 * into an upstream issue, and the captured outputs. Pure text building plus one atomic folder write.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shellLine, shellQuote } from "./proc.ts";
import { formatSignature, type FuseRecord, type RunRecord } from "./records.ts";

export interface ReproInput {
  fixture: string;
  mode: "multi" | "shared";
  verdict: string;
  why: string;
  /** Which engine run failed: decides the last line of repro.sh. */
  failing: { engine: "kiln" | "wasmtime" | "meld-only"; on: "original" | "fused"; record?: RunRecord };
  fuse: FuseRecord;
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  invoke?: string;
  expectText: string;
  baseline?: string;
  reference?: string;
  blocker?: string;
  tools: string[];
  originalPath: string;
  fusedPath?: string;
  captured: Record<string, string>;
}

/** The engine line of repro.sh, relative to the bundle folder. */
export function engineLine(r: ReproInput, kilnd = '"$KILND"', wasmtime = '"$WASMTIME"'): string | undefined {
  const wasm = r.failing.on === "fused" ? "fused.wasm" : "original.wasm";
  const stdin = r.stdin ? " < stdin.bin" : "";
  if (r.failing.engine === "kiln") {
    const rest = [wasm, "--component", "--wasi", ...r.args.flatMap((a) => ["--wasi-arg", a]), ...Object.keys(r.env).flatMap((k) => ["--wasi-env", k])];
    if (r.invoke) rest.push("--invoke", r.invoke);
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
  return `${meld} ${shellLine(["fuse", "original.wasm", "-o", "fused.wasm", ...flags])}`;
}

export function reproScript(r: ReproInput): string {
  const line = engineLine(r);
  const exports = Object.entries(r.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  return [
    "#!/bin/sh",
    `# seam repro: ${r.fixture} (${r.mode} memory) — ${r.verdict}. Run from anywhere: sh repro.sh`,
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

export function reproMarkdown(r: ReproInput, reproduced: string): string {
  const actual = r.failing.record ? (r.failing.record.signature ? formatSignature(r.failing.record.signature) : r.failing.record.errorLine ?? r.failing.record.verdict) : r.fuse.message ?? r.fuse.verdict;
  const engine = engineLine(r, "kilnd", "wasmtime");
  const script = [...Object.entries(r.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`), meldLine(r.fuse, "meld"), ...(engine ? [engine] : [])];
  return [
    `# ${r.fixture} (${r.mode} memory): ${r.verdict} — \`${actual}\``,
    "",
    r.why,
    "",
    "## What ran",
    "",
    "```sh",
    ...script,
    "```",
    "",
    `**Expected** (seam fixture manifest): ${r.expectText}`,
    "",
    `**Actual**: \`${actual}\``,
    "",
    ...(r.baseline ? [`**Baseline** (unfused original on kilnd): ${r.baseline}`, ""] : []),
    ...(r.reference ? [`**The fused artifact is valid** — reference engine: ${r.reference}`, ""] : []),
    ...(r.blocker ? [`**Known blocker**: ${r.blocker}`, ""] : []),
    "| file | sha256 | bytes |",
    "|---|---|---|",
    digestRow("original.wasm", r.fuse.inputs[0]),
    digestRow("fused.wasm", r.fuse.output),
    "",
    `**Tools**: ${r.tools.join(", ")}`,
    "",
    `**Reproduce**: \`sh repro.sh\` in this folder (\`MELD=/path/to/meld KILND=/path/to/kilnd sh repro.sh\`).`,
    "",
    `seam re-ran repro.sh: **${reproduced}**.`,
    "",
  ].join("\n");
}

/** Writes the bundle folder atomically: built beside it, then swapped in. */
export function writeBundle(dir: string, r: ReproInput, reproduced: string): void {
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  copyFileSync(r.originalPath, join(tmp, "original.wasm"));
  if (r.fusedPath && existsSync(r.fusedPath)) copyFileSync(r.fusedPath, join(tmp, "fused.wasm"));
  if (r.stdin) writeFileSync(join(tmp, "stdin.bin"), r.stdin);
  writeFileSync(join(tmp, "repro.sh"), reproScript(r), { mode: 0o755 });
  writeFileSync(join(tmp, "REPRO.md"), reproMarkdown(r, reproduced));
  writeFileSync(join(tmp, "fuse.json"), JSON.stringify(r.fuse, null, 2) + "\n");
  for (const [name, text] of Object.entries(r.captured)) writeFileSync(join(tmp, name), text);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}
