/**
 * classify — how one row's change between two tier-c results is classed. Pure.
 *
 * How a verdict stands (its verdict word first; an unknown word by its outcome):
 *   pass          pass, xpass                                        (unknown verdict, outcome xpass)
 *   known fail    expected-fail, meld-bug with outcome "expected"    (unknown verdict, outcome expected)
 *   fail          seam-bug, meld-bug, blocker-moved, reference-fail, unattributed
 *                                                                     (unknown verdict, outcome unexpected,
 *                                                                      moved, or any outcome not listed)
 *   out of scope  fuse-refused, kiln-unsupported, unsupported-form   (unknown verdict, outcome ok)
 *   not judged    skipped (a tool is missing: nothing ran), fault (the run did not finish: README, Troubleshooting)
 * A failure belongs to the layer that shows it: the fixture (reference-fail), meld (meld-bug) or kilnd
 * (seam-bug, expected-fail, blocker-moved, unattributed). A row is unchanged when verdict, outcome and
 * signature are all equal; otherwise it is classed by its standing on each side, first rule that fits:
 *   fixed         head passes, base failed or was out of scope
 *   reclassified  head passes and base passed too (pass ↔ xpass: a ledger edit) or was not judged
 *   regressed     base passed and head does not (fail closed: pass → skipped because kilnd vanished is
 *                 a regression, never green)
 *   regressed     head is not judged and base was: the verdict was lost (fail closed)
 *   regressed     head fails unexpectedly where base was not judged or out of scope
 *   reclassified  base not judged, head known-fail or out of scope (a verdict gained, none lost)
 *   regressed     a failure became out of scope (a tool now declines the row: never a fix)
 *   reclassified  out of scope on both sides for another reason, or out of scope → known fail
 *   moved         both fail in the same layer with a new signature (or, with no signature to read,
 *                 a known failure that no longer matches its record)
 *   reclassified  both fail in the same layer with the same signature (a ledger or manifest edit)
 *   regressed     the failure moved upstream (kilnd → meld → fixture), or a layer is unknown
 *   reclassified  the failure moved downstream (meld's output now passes the reference; kilnd fails it)
 *   new / gone    the row is only in head / only in base
 * `reclassified` is the sixth class: the verdict changed but the seam got neither better nor worse.
 * --fail-on regressed trips on regressed; moved on regressed or moved; any on every change; none never.
 */
import type { ChangeClass, RowState, Standing } from "./types.ts";

const PASS = new Set(["pass", "xpass"]);
const OUT_OF_SCOPE = new Set(["fuse-refused", "kiln-unsupported", "unsupported-form"]);
const FAILS = new Set(["seam-bug", "meld-bug", "blocker-moved", "reference-fail", "unattributed"]);

/** How a verdict stands; an unknown verdict word by its outcome, never as a pass unless it says xpass. */
export function standing(verdict: string, outcome: string): Standing {
  if (PASS.has(verdict)) return "pass";
  if (verdict === "skipped" || verdict === "fault") return "not-judged"; // a fault is no judgement
  if (OUT_OF_SCOPE.has(verdict)) return "out-of-scope";
  if (verdict === "expected-fail") return "known-fail";
  if (FAILS.has(verdict)) return outcome === "expected" ? "known-fail" : "fail";
  if (outcome === "xpass") return "pass";
  if (outcome === "expected") return "known-fail";
  if (outcome === "ok") return "out-of-scope";
  return "fail";
}

/** The layer a failure shows in: 0 the fixture, 1 meld, 2 kilnd; undefined when unknown. */
export function failingLayer(verdict: string): number | undefined {
  if (verdict === "reference-fail") return 0;
  if (verdict === "meld-bug") return 1;
  if (["seam-bug", "expected-fail", "blocker-moved", "unattributed"].includes(verdict)) return 2;
  return undefined;
}

const LAYER_NAME = ["the fixture", "meld", "kilnd"];
const failing = (s: Standing) => s === "fail" || s === "known-fail";
const sig = (s: RowState) => (s.signature ? `${s.verdict} ${s.signature}` : s.verdict);

/** The class of a row present on both sides, and why; null when nothing compared changed. */
export function classify(base: RowState, head: RowState): { class: ChangeClass; reason: string } | null {
  if (base.verdict === head.verdict && base.outcome === head.outcome && base.signature === head.signature) return null;
  const b = standing(base.verdict, base.outcome);
  const h = standing(head.verdict, head.outcome);
  const was = `was ${sig(base)}, now ${sig(head)}`;
  if (h === "pass") {
    if (b === "pass") return { class: "reclassified", reason: `still passes; only the label changed` };
    if (b === "not-judged")
      return { class: "reclassified", reason: `newly judged, and passes (base: ${base.why || "skipped"})` };
    return { class: "fixed", reason: b === "out-of-scope" ? "now in scope, and passes" : "now passes" };
  }
  if (h === "not-judged" && b === "not-judged") return { class: "reclassified", reason: "still not judged" };
  if (h === "not-judged")
    return {
      class: "regressed",
      reason: `no longer judged (${head.why || "skipped"}): a lost verdict counts as a regression`,
    };
  if (b === "pass")
    return {
      class: "regressed",
      reason: h === "out-of-scope" ? `no longer passes: now out of scope (${head.why})` : "no longer passes",
    };
  if (b === "not-judged") {
    return h === "fail"
      ? { class: "regressed", reason: `a failure the base could not judge (base: ${base.why || "skipped"})` }
      : { class: "reclassified", reason: `newly judged: ${head.verdict}` };
  }
  if (h === "out-of-scope") {
    return b === "out-of-scope"
      ? { class: "reclassified", reason: "still out of scope, for another reason" }
      : { class: "regressed", reason: `now out of scope (${head.why}): a failure a tool now declines is not fixed` };
  }
  if (b === "out-of-scope")
    return h === "fail"
      ? { class: "regressed", reason: "now in scope, and fails unexpectedly" }
      : { class: "reclassified", reason: "now in scope, and fails as known" };
  // Both fail.
  const sb = failingLayer(base.verdict);
  const sh = failingLayer(head.verdict);
  if (sb === undefined || sh === undefined)
    return { class: "regressed", reason: `${was}: a failure of an unknown kind counts as a regression` };
  if (sb === sh) {
    if (base.signature !== head.signature)
      return { class: "moved", reason: `${LAYER_NAME[sh]} fails with a new signature` };
    if (!base.signature && b === "known-fail" && h === "fail")
      return {
        class: "moved",
        reason: `${LAYER_NAME[sh]}'s failure no longer matches its record (${base.outcome} → ${head.outcome})`,
      };
    return { class: "reclassified", reason: `the same failure, relabelled (${base.outcome} → ${head.outcome})` };
  }
  if (sh < sb)
    return { class: "regressed", reason: `the failure moved upstream, from ${LAYER_NAME[sb]} to ${LAYER_NAME[sh]}` };
  return { class: "reclassified", reason: `the failure moved downstream, from ${LAYER_NAME[sb]} to ${LAYER_NAME[sh]}` };
}
