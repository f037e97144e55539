/**
 * text — a repro bundle's REPRO.md, written for the upstream tracker: an issue title, the versions, the
 * commands as run (the bundle's own file names), the expected (the reference engine) and the actual (kilnd's
 * exact output of each step, quoted bounded with byte counts, control bytes escaped, in fences the text
 * cannot close), the guest's source, and the evidence that puts the bug on kiln's or meld's side. No
 * absolute path and none of seam's own verdict words. Pure; lib/tierc/bundle/write.ts writes it.
 */
import { shellQuote } from "../../core/proc.ts";
import { mdFence, mdProse } from "../../core/render.ts";
import { meldLine, stepLine } from "./script.ts";
import { fusedName, type ReproInput, type ReproStep } from "./steps.ts";

/** Bytes of a stream REPRO.md quotes; the rest is in the raw file beside it. */
export const QUOTE_LIMIT = 4000;

/** A stream quoted bounded: its byte count, the raw file's name, and the text fenced (never "(nothing)"
 * when bytes were printed). */
export function quoteStream(what: string, file: string, bytes: Uint8Array | undefined): string[] {
  if (!bytes) return [`${what}: not kept (kilnd was not run again for this bundle).`, ""];
  if (bytes.length === 0) return [`${what} (\`${file}\`): 0 bytes.`, ""];
  const text = new TextDecoder().decode(bytes.subarray(0, QUOTE_LIMIT));
  const cut = bytes.length > QUOTE_LIMIT ? `, the first ${QUOTE_LIMIT} shown` : "";
  const end = bytes[bytes.length - 1] === 10 ? "" : " (no newline at the end)";
  return [`${what} (\`${file}\`, ${bytes.length} bytes${cut}${end}; control bytes escaped):`, "", mdFence(text), ""];
}

function stepSection(r: ReproInput, s: ReproStep, n: number, raw: Record<string, Uint8Array>): string[] {
  return [
    `### Step ${n}: ${s.call ? `\`${s.call}\`` : "the command"}`,
    "",
    mdFence(stepLine(r, s, "kilnd"), "sh"),
    "",
    `**Expected**: ${s.expect.kind === "result" ? `returns ${s.expect.values[0]}` : s.expect.kind === "trap" ? "traps" : r.expectText}`,
    "",
    `**Actual**: ${mdProse(s.missed)}`,
    "",
    ...(s.expect.kind === "stdout" && s.expect.stdout !== undefined
      ? quoteStream("Expected guest stdout", s.expect.stdoutFile ?? "", new TextEncoder().encode(s.expect.stdout))
      : []),
    ...quoteStream("kilnd's stdout", `step-${n}.kilnd.stdout`, raw[`step-${n}.kilnd.stdout`]),
    ...quoteStream("kilnd's stderr", `step-${n}.kilnd.stderr`, raw[`step-${n}.kilnd.stderr`]),
  ];
}

function sourceSection(r: ReproInput): string[] {
  if (!r.sources.length)
    return ["## Guest source", "", r.sourceNote ?? "Not available: the component was given as a binary.", ""];
  return [
    "## Guest source",
    "",
    ...r.sources.flatMap((s) => [`\`${s.path}\`:`, "", mdFence(s.text, s.path.split(".").pop() ?? ""), ""]),
  ];
}

function digestRow(name: string, d: { sha256: string; bytes: number } | null | undefined): string {
  return d ? `| ${name} | \`${d.sha256}\` | ${d.bytes} |` : `| ${name} | — | — |`;
}

export function reproMarkdown(r: ReproInput, reproduced: string, raw: Record<string, Uint8Array>): string {
  const env = Object.entries(r.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const fused = r.wasm === "original.wasm" ? [] : [meldLine(r, "meld")];
  const tracker = r.side === "kiln" ? "kiln" : "meld";
  return [
    `# ${mdProse(r.title)}`,
    "",
    mdProse(r.summary),
    "",
    `- kilnd: ${r.tools.kilnd}`,
    `- meld: ${r.tools.meld}`,
    `- reference engine: ${r.tools.reference}`,
    `- input: \`original.wasm\` (${r.fixture}), ${r.mode} memory, ${r.form === "core" ? "a core module" : "a component"} as meld wrote it`,
    "",
    "## Commands as run (in this folder)",
    "",
    mdFence([...env, ...fused, ...r.steps.map((s) => stepLine(r, s, "kilnd"))].join("\n"), "sh"),
    "",
    `**Expected**: ${mdProse(`${r.expectText}. ${r.expected}`)}`,
    "",
    ...(r.reference ? [`**The reference engine on meld's output**: ${mdProse(r.reference)}`, ""] : []),
    ...(r.baseline ? [`**kilnd on the unfused original**: ${mdProse(r.baseline)}`, ""] : []),
    "## What kilnd did",
    "",
    ...r.steps.flatMap((s, i) => stepSection(r, s, i + 1, raw)),
    `## Why this is ${tracker}'s`,
    "",
    mdProse(r.evidence),
    "",
    ...(r.blocker ? [`Known upstream: ${r.blocker}`, ""] : []),
    ...sourceSection(r),
    "## Files",
    "",
    "| file | sha256 | bytes |",
    "|---|---|---|",
    digestRow("original.wasm", r.fuse.inputs[0]),
    ...(r.wasm === "original.wasm" ? [] : [digestRow(fusedName(r.fuse), r.fuse.output)]),
    "",
    "`fuse.json` records the fusion; `step-N.kilnd.stdout` and `step-N.kilnd.stderr` are kilnd's exact output of step N.",
    "",
    "## Reproduce",
    "",
    "`KILND=/path/to/kilnd sh repro.sh` (from any folder; add `MELD=/path/to/meld` to fuse again and compare).",
    "It follows `git bisect run`: exit 0 when kilnd meets the expectation, 1 when this failure reproduces",
    "(it prints `REPRODUCED: …`), 125 when it cannot test.",
    "",
    `When this bundle was made, repro.sh ${reproduced}.`,
    "",
  ].join("\n");
}
