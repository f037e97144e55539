/**
 * cause — the root cause a failing tier-c row stands for, read off the row alone (results.json): whose it
 * is (kiln or meld), the stage it fails in, and its key: kiln's signature normalised (numbers, addresses
 * and quoted names stripped), or the kind of difference (a result differs, the guest's stdout differs,
 * ends early, has extra bytes; an import meld left unresolved). Rows with the same key share a finding
 * (lib/tierc/findings/group.ts); a bundle's REPRO.md takes its title from here. Pure.
 */
import type { Row } from "../report.ts";
import { failsOnOriginal } from "../attribution.ts";

export interface RootCause {
  whose: "kiln" | "meld";
  /** Where it fails: "kilnd on the fused core module", "meld's core output", … */
  stage: string;
  /** The normalised signature or the kind of difference. */
  kind: string;
  /** The title of an upstream issue, without versions. */
  title: string;
}

/** The rows a finding is made of: failures of the seam, kiln's or meld's (not a refusal meld documents). */
export const FAILING_VERDICTS = [
  "seam-bug",
  "expected-fail",
  "blocker-moved",
  "meld-bug",
  "unattributed",
  "kiln-unsupported",
];

/** A kiln signature with what varies between runs stripped: numbers, addresses, quoted names. */
export function normaliseSignature(sig: string): string {
  const m = /^(\[[^\]]+\]\[E[0-9A-F]{4}\](?:\[[^\]]+\])?)\s*(.*)$/.exec(sig.trim());
  if (!m) return sig.trim();
  const message = m[2]!
    .replace(/(['"`])[^'"`]*\1/g, "…")
    .replace(/0x[0-9a-fA-F]+/g, "N")
    .replace(/\d+/g, "N")
    .replace(/\s+-\s+.*$/, "")
    .trim();
  return `${m[1]} ${message}`.trim();
}

/** The kind of difference a judge's words describe, without the bytes that differ. */
export function differenceKind(why: string): string | undefined {
  if (/result differs/.test(why)) return "an export returns another value";
  if (/stdout differs at byte/.test(why)) return "the guest's stdout differs";
  if (/stdout ends at byte/.test(why)) return "the guest's stdout ends early";
  if (/stdout has \d+ bytes, expected/.test(why)) return "the guest's stdout has extra bytes";
  if (/stdout differs: expected \d+ bytes/.test(why)) return "the guest's stdout differs";
  if (/expected exit/.test(why)) return "the guest's exit differs";
  return undefined;
}

const FORM_WORDS = { core: "a meld-fused core module", component: "a meld-fused component" } as const;

/** meld's side: an unresolved import, a crash, or an output the reference engine rejects. */
function meldCause(r: Row): RootCause {
  if (/^meld left /.test(r.why)) {
    const left = /^meld left (.*?) unresolved/.exec(r.why)![1]!;
    return {
      whose: "meld",
      stage: "meld's core output",
      kind: "an import the composition provides is left unresolved",
      title: `core output imports ${left}, which the composition provides itself`,
    };
  }
  if (/^meld crashed/.test(r.why))
    return {
      whose: "meld",
      stage: "meld fuse",
      kind: normaliseSignature(r.why),
      title: "meld crashes fusing a component",
    };
  const ref = r.cells.find((c) => c.step === "reference(fused)");
  const said = ref?.signature ?? ref?.detail ?? r.why;
  const error = /got \w[\w-]* \((.*)\)$/.exec(said)?.[1];
  const kind =
    differenceKind(said) ?? clip((error ?? said.replace(/^.*?: /, "")).replace(/\d+/g, "N").replace(/`[^`]*`/g, "…"));
  // a core row's evidence is meld's component output of the same input: the same fault as the component row's
  return {
    whose: "meld",
    stage: "meld's component output, run on the reference engine",
    kind,
    title: `fused component fails on a reference engine: ${kind}`,
  };
}

/** A kind short enough for an issue title: cut at the last word boundary before 120 characters, with an
 * ellipsis, and never inside a parenthesis it opened (a cut "(at offset N" reads as broken text). */
export function clip(text: string, max = 120): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max).replace(/\s+\S*$/, "");
  const open = cut.lastIndexOf("(");
  if (open > 0 && cut.indexOf(")", open) < 0) cut = cut.slice(0, open).trimEnd();
  return `${cut}…`;
}

/** The root cause of a failing row; undefined for a row that is no failure of kiln or meld. */
export function rootCause(r: Row): RootCause | undefined {
  if (!FAILING_VERDICTS.includes(r.verdict)) return undefined;
  if (r.verdict === "meld-bug") return meldCause(r);
  const onOriginal = failsOnOriginal(r);
  const cell = r.cells.find((c) => c.step === (onOriginal ? "kiln(original)" : "kiln(fused)"));
  const stage = onOriginal ? "kilnd on the unfused original" : `kilnd on ${FORM_WORDS[r.form]}`;
  const sig = r.actualSignature && /^\[/.test(r.actualSignature) ? r.actualSignature : cell?.signature;
  if (sig) {
    const kind = normaliseSignature(sig);
    return { whose: "kiln", stage, kind, title: `\`${kind}\` on ${onOriginal ? "a component" : FORM_WORDS[r.form]}` };
  }
  const why = cell?.detail ?? r.why;
  const kind = differenceKind(why) ?? clip(why.replace(/\d+/g, "N"));
  return { whose: "kiln", stage, kind, title: `${kind} on ${FORM_WORDS[r.form]}` };
}
