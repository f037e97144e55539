/**
 * Bad-input cases, flags that exclude each other, or apply to another mode. The fields and @tokens of a
 * row: scripts/testing/bad-inputs/case.ts; the harness that runs the rows: scripts/testing/bad-inputs.ts.
 */
import { type BadInput, c } from "./case.ts";

export const CONFLICT_CASES: BadInput[] = [
  // --- conflicting or misplaced flags ------------------------------------------------------------
  c(
    "conflicting or misplaced flags",
    ["fuse.ts", "app.wasm", "-o", "f.wasm", "--component", "--core"],
    2,
    /^--component and --core exclude each other$/,
  ),
  c("conflicting or misplaced flags", ["fuse.ts", "app.wasm"], 2, /^missing -o <out\.wasm>$/, { doc: true }),
  c("conflicting or misplaced flags", ["fuse.ts", "-o", "f.wasm"], 2, /^no input component given$/),
  c(
    "conflicting or misplaced flags",
    ["run-kiln.ts", "app.wasm", "compute.wasm"],
    2,
    /^expected one \.wasm file, got 2: app\.wasm compute\.wasm$/,
  ),
  c("conflicting or misplaced flags", ["run-kiln.ts"], 2, /^expected one \.wasm file$/),
  c(
    "conflicting or misplaced flags",
    ["run-kiln.ts", "app.wasm", "--engine", "jco", "--kilnd", "k"],
    2,
    /^--kilnd applies to --engine kiln, not jco$/,
  ),
  c(
    "conflicting or misplaced flags",
    ["run-kiln.ts", "app.wasm", "--engine", "jco", "--fuel", "10"],
    2,
    /^--fuel applies to kiln and wasmtime; jco has no fuel$/,
  ),
  c("conflicting or misplaced flags", ["tier-c.ts", "--fail-on", "any"], 2, /^--fail-on applies to --baseline$/),
  c(
    "conflicting or misplaced flags",
    ["tier-c.ts", "--fixture", "nope"],
    2,
    /^no fixture named nope in .*manifest\.yaml$/,
  ),
  c(
    "conflicting or misplaced flags",
    ["tier-c.ts", "compare", "base"],
    2,
    /^compare needs BASE and HEAD, got 1 path\(s\)$/,
  ),
  c("conflicting or misplaced flags", ["tier-c.ts", "merge"], 2, /^merge needs at least one shard folder$/),
  c("conflicting or misplaced flags", ["fixtures.ts", "build", "--run"], 2, /^--run and --fused belong to verify$/),
  c("conflicting or misplaced flags", ["fixtures.ts", "verify", "--check"], 2, /^--check belongs to build$/),
  c("conflicting or misplaced flags", ["fixtures.ts", "verify", "--fixture", "nope"], 2, /^unknown fixture: nope$/),
  c("conflicting or misplaced flags", ["fixtures.ts"], 2, /^missing command$/),
  c(
    "conflicting or misplaced flags",
    ["ls-gate.ts", "--runner", "bun", "--package", "x"],
    2,
    /^--package applies to --runner cargo only$/,
  ),
  c(
    "conflicting or misplaced flags",
    ["ls-gate.ts", "--runner", "junit", "--scenarios", "scenarios.yaml"],
    2,
    /^--runner junit needs at least one --junit FILE$/,
  ),
  c(
    "conflicting or misplaced flags",
    ["ls-gate.ts", "--runner", "cargo", "--junit", "junit.xml"],
    2,
    /^--junit applies to --runner junit/,
  ),
  c(
    "conflicting or misplaced flags",
    ["post-comment.ts", "--report", "lsgate.json", "--body-file", "body.md"],
    2,
    /^--report and --body-file exclude each other$/,
  ),
  c(
    "conflicting or misplaced flags",
    ["post-comment.ts", "--dry-run"],
    2,
    /^nothing to render: pass --report FILE or --body-file FILE$/,
  ),
  c(
    "conflicting or misplaced flags",
    ["post-comment.ts", "--report", "lsgate.json", "--author", "a b", "--dry-run"],
    2,
    /^--author "a b" is not a GitHub login$/,
  ),
  c(
    "conflicting or misplaced flags",
    ["all.ts", "--fail-on", "any", "--dry-run"],
    2,
    /^--fail-on applies to --baseline$/,
  ),
];
