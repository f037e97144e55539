/**
 * title — a repro bundle's issue title and opening paragraph, from the row's root cause
 * (lib/tierc/findings/cause.ts) and its first failing step. Pure; used by lib/tierc/bundle/row.ts.
 */
import { rootCause } from "../findings/cause.ts";
import type { Row } from "../report.ts";
import { bareVersion } from "../render.ts";
import type { ReproInput } from "./steps.ts";

/** The tool the title is addressed to, by its version (or "kilnd" when it reports none). */
function toolWord(r: ReproInput): string {
  if (r.side === "meld") return `meld ${r.tools.meld}`;
  // The identity goes on with its provenance, "0.4.4 (release asset …, sha256 …), sha256 …".
  const v = bareVersion(r.tools.kilnd);
  return v ? `kilnd ${v}` : "kilnd";
}

export function reproTitle(r: ReproInput, row: Row): string {
  const cause = rootCause(row);
  const step = r.steps[0];
  const results = step?.record.results;
  if (cause?.whose === "kiln" && step?.expect.kind === "result" && step.call && results?.length)
    return `${toolWord(r)}: \`${step.call}\` on a meld-fused ${r.form === "core" ? "core module" : "component"} returns ${results.join(", ")}, expected ${step.expect.values[0]}`;
  return `${toolWord(r)}: ${cause?.title ?? row.why} (${r.fixture}, ${r.mode} memory)`;
}

export function reproSummary(r: ReproInput, row: Row): string {
  const what =
    r.wasm === "original.wasm"
      ? "The component `original.wasm`"
      : `meld's ${r.form === "core" ? "core module" : "component"} \`${r.wasm}\`, fused from \`original.wasm\` with \`--memory ${r.mode}\`,`;
  const n = r.steps.length;
  const steps =
    n === 0
      ? ""
      : ` ${n === 1 ? "One kilnd call fails" : `${n} kilnd calls fail`}; each is a step below, with kilnd's exact output.`;
  return `${what} ${r.side === "meld" ? "shows a fault of meld's output" : "does not run on kilnd as it runs on the reference engine"}: ${rootCause(row)?.kind ?? row.verdict}.${steps}`;
}
