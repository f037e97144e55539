/**
 * Bad-input cases, input data: malformed YAML or manifest, malformed JSON or not seam's results. The
 * fields and @tokens of a row: scripts/testing/bad-inputs/case.ts; the harness that runs the rows:
 * scripts/testing/bad-inputs.ts.
 */
import { type BadInput, c, MANIFEST_HEAD, ONE_LEDGER } from "./case.ts";

export const DATA_CASES: BadInput[] = [
  // --- malformed YAML or manifest ----------------------------------------------------------------
  c("malformed YAML or manifest", ["tier-c.ts", "--manifest", "m.yaml"], 2, /^m\.yaml:\d+:\d+: yaml: /, {
    files: { "m.yaml": "schema: [\n" },
    doc: true,
  }),
  c(
    "malformed YAML or manifest",
    ["tier-c.ts", "--manifest", "m.yaml"],
    2,
    /^.*m\.yaml:1:1: manifest: the file is empty/,
    { files: { "m.yaml": "" } },
  ),
  c(
    "malformed YAML or manifest",
    ["fixtures.ts", "verify", "--manifest", "m.yaml"],
    2,
    /^.*m\.yaml:\d+:\d+: fixture x: kind: unknown value 5 \(expected one of: command, invoke\)$/,
    { files: { "m.yaml": `${MANIFEST_HEAD}  - name: x\n    kind: 5\n` }, maxLines: 2 },
  ),
  c(
    "malformed YAML or manifest",
    ["fixtures.ts", "verify", "--manifest", "m.yaml"],
    2,
    /^.*m\.yaml:\d+:\d+: fixture x: kind: unknown value "Command" \(expected one of: command, invoke\)$/,
    { files: { "m.yaml": `${MANIFEST_HEAD}  - name: x\n    kind: Command\n` } },
  ),
  c("malformed YAML or manifest", ["tier-c.ts", "--manifest", "adir"], 2, /^fixture manifest adir is not a file$/),
  c("malformed YAML or manifest", ["tier-c.ts", "--ledger", "kb.yaml"], 2, /^kb\.yaml:\d+:\d+: malformed YAML/, {
    files: { "kb.yaml": "blockers: [\n" },
  }),
  c(
    "malformed YAML or manifest",
    ["tier-c.ts", "--ledger", "kb.yaml"],
    2,
    /^kb\.yaml:5:\d+: kiln#1: unknown fixture helo_c_cli \(not in the manifest; did you mean hello_c_cli\?\)$/,
    { files: { "kb.yaml": ONE_LEDGER("helo_c_cli") }, doc: true },
  ),
  c(
    "malformed YAML or manifest",
    ["tier-c.ts", "--ledger", "kb.yaml"],
    2,
    /^kb\.yaml:\d+:\d+: kiln#1: code E12 is not E \+ 4 upper-case hex digits$/,
    { files: { "kb.yaml": "blockers:\n  - ref: kiln#1\n    signature: { code: E12 }\n    fixtures: ['*']\n" } },
  ),
  c("malformed YAML or manifest", ["tier-c.ts", "--ledger", "adir"], 2, /^ledger adir is not a file$/),
  c(
    "malformed YAML or manifest",
    ["ls-gate.ts", "--runner", "junit", "--junit", "junit.xml", "--scenarios", "s.yaml"],
    2,
    /^s\.yaml:\d+:\d+: malformed YAML/,
    { files: { "s.yaml": "loss-scenarios: [\n" } },
  ),
  c(
    "malformed YAML or manifest",
    ["ls-gate.ts", "--runner", "junit", "--junit", "junit.xml", "--scenarios", "s.yaml", "--results-json", "r.json"],
    2,
    /^s\.yaml:5:13: unknown status "Approved" \(known: approved, .*\); did you mean approved\?$/,
    { files: { "s.yaml": "loss-scenarios:\n  - id: LS-A-1\n    title: one\n\n    status: Approved\n" }, doc: true },
  ),
  c(
    "malformed YAML or manifest",
    ["ls-gate.ts", "--runner", "junit", "--junit", "junit.xml", "--scenarios", "s.yaml", "--results-json", "r.json"],
    2,
    /status must be one value, not a list/,
    { files: { "s.yaml": "loss-scenarios:\n  - id: LS-A-1\n    title: one\n    status: [approved]\n" } },
  ),
  c(
    "malformed YAML or manifest",
    ["ls-gate.ts", "--runner", "junit", "--junit", "junit.xml", "--scenarios", "adir"],
    2,
    /adir/,
  ),

  // --- malformed JSON or not results -------------------------------------------------------------
  c(
    "malformed JSON or not results",
    ["tier-c.ts", "compare", "notjson.json", "head"],
    2,
    /^notjson\.json: not JSON \(.*\): pass a tier-c results\.json$/,
    { doc: true },
  ),
  c(
    "malformed JSON or not results",
    ["tier-c.ts", "compare", "lsgate.json", "head"],
    2,
    /^lsgate\.json: not a tier-c results file \(schema "seam\.ls-gate\/1"; compare reads /,
  ),
  c("malformed JSON or not results", ["tier-c.ts", "merge", "bad"], 2, /^bad\/results\.json: not JSON \(.*\)$/, {
    files: { "bad/results.json": "{" },
  }),
  c("malformed JSON or not results", ["tier-c.ts", "merge", "adir"], 2, /^no results\.json in adir$/),
  c(
    "malformed JSON or not results",
    ["tier-c.ts", "--baseline", "notjson.json", "--out", "o"],
    2,
    /^notjson\.json: not JSON/,
  ),
  c(
    "malformed JSON or not results",
    ["all.ts", "--baseline", "lsgate.json", "--dry-run"],
    2,
    /^lsgate\.json: not a tier-c results file/,
  ),
  c(
    "malformed JSON or not results",
    ["post-comment.ts", "--report", "lsgate.json", "--dry-run"],
    2,
    /^GITHUB_EVENT_PATH notjson\.json is not JSON$/,
    { env: { GITHUB_EVENT_PATH: "notjson.json" } },
  ),
  c(
    "malformed JSON or not results",
    ["post-comment.ts", "--report", "notjson.json", "--dry-run", "--pr", "1"],
    2,
    /notjson\.json/,
  ),
];
