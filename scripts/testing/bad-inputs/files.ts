/**
 * Bad-input cases, input files that are missing, not wasm, empty or truncated, or have nothing to run. The
 * fields and @tokens of a row: scripts/testing/bad-inputs/case.ts; the harness that runs the rows:
 * scripts/testing/bad-inputs.ts.
 */
import { type BadInput, c } from "./case.ts";

export const FILE_CASES: BadInput[] = [
  // --- missing file ------------------------------------------------------------------------------
  c("missing file", ["fuse.ts", "nope.wasm", "-o", "f.wasm"], 2, /^input not found: nope\.wasm$/, { doc: true }),
  c("missing file", ["run-kiln.ts", "nope.wasm"], 2, /^input not found: nope\.wasm$/),
  c("missing file", ["run-kiln.ts", "app.wasm", "--stdin", "nope.txt"], 2, /^--stdin file not found: nope\.txt$/),
  c("missing file", ["tier-c.ts", "--manifest", "nope.yaml"], 2, /^fixture manifest not found: .*nope\.yaml$/),
  c("missing file", ["tier-c.ts", "--ledger", "nope.yaml"], 2, /^ledger not found: .*nope\.yaml$/, { doc: true }),
  c(
    "missing file",
    ["tier-c.ts", "--baseline", "nope", "--out", "o"],
    2,
    /^nope not found: pass a tier-c results\.json or its --out folder$/,
  ),
  c("missing file", ["tier-c.ts", "merge", "nope"], 2, /^shard folder not found: nope$/),
  c(
    "missing file",
    ["tier-c.ts", "compare", "nope", "head"],
    2,
    /^nope not found: pass a tier-c results\.json or its --out folder$/,
  ),
  c(
    "missing file",
    ["tier-c.ts", "compare", "adir", "head"],
    2,
    /^adir has no results\.json: pass a tier-c results\.json or its --out folder$/,
  ),
  c("missing file", ["fixtures.ts", "verify", "--manifest", "nope.yaml"], 2, /^manifest not found: nope\.yaml$/),
  c(
    "missing file",
    ["all.ts", "--baseline", "nope", "--dry-run"],
    2,
    /^nope not found: pass a tier-c results\.json or its --out folder$/,
  ),
  c(
    "missing file",
    ["ls-gate.ts", "--runner", "junit", "--junit", "junit.xml", "--scenarios", "nope.yaml", "--results-json", "r.json"],
    2,
    /^scenarios file not found: .*nope\.yaml$/,
  ),
  c("missing file", ["ls-gate.ts", "--runner", "bun", "--project", "nope"], 2, /^project folder not found: .*nope$/),
  c(
    "missing file",
    ["post-comment.ts", "--body-file", "nope.md", "--dry-run", "--pr", "1"],
    2,
    /^--body-file nope\.md does not exist$/,
  ),
  c(
    "missing file",
    ["post-comment.ts", "--report", "base/results.json", "--dry-run"],
    2,
    /^GITHUB_EVENT_PATH nope\.json does not exist$/,
    { env: { GITHUB_EVENT_PATH: "nope.json" } },
  ),

  // --- not wasm, empty or truncated --------------------------------------------------------------
  c(
    "not wasm, empty or truncated",
    ["fuse.ts", "text.wasm", "-o", "f.wasm"],
    2,
    /^text\.wasm is not a WebAssembly file: not a WebAssembly binary \(no \\0asm magic\)$/,
    { doc: true },
  ),
  c(
    "not wasm, empty or truncated",
    ["run-kiln.ts", "text.wasm"],
    2,
    /^text\.wasm is not a WebAssembly file: not a WebAssembly binary/,
  ),
  c(
    "not wasm, empty or truncated",
    ["fuse.ts", "empty.wasm", "-o", "f.wasm"],
    2,
    /^empty\.wasm is empty, not a WebAssembly file$/,
  ),
  c(
    "not wasm, empty or truncated",
    ["run-kiln.ts", "empty.wasm", "--engine", "wasmtime"],
    2,
    /^empty\.wasm is empty, not a WebAssembly file$/,
  ),
  c(
    "not wasm, empty or truncated",
    ["fuse.ts", "trunc.wasm", "-o", "f.wasm"],
    2,
    /^trunc\.wasm is not a WebAssembly file: section \d+ \(id \d+\) at byte \d+ runs past the end of the file$/,
    { doc: true },
  ),
  c(
    "not wasm, empty or truncated",
    ["run-kiln.ts", "trunc.wasm", "--engine", "jco"],
    2,
    /^trunc\.wasm is not a WebAssembly file: section \d+/,
  ),
  c("not wasm, empty or truncated", ["fuse.ts", "adir", "-o", "f.wasm"], 2, /^input is not a regular file: adir$/),
  c("not wasm, empty or truncated", ["run-kiln.ts", "adir"], 2, /^input is not a regular file: adir$/),
  c(
    "not wasm, empty or truncated",
    ["fuse.ts", "core8.wasm", "-o", "f.wasm"],
    2,
    /^core8\.wasm is a core module, but meld fuses components$/,
    { doc: true },
  ),
  c(
    "not wasm, empty or truncated",
    ["run-kiln.ts", "core8.wasm", "--engine", "jco", "--invoke", "f"],
    2,
    /^core8\.wasm is a core module; jco runs components$/,
  ),

  // --- nothing to run ----------------------------------------------------------------------------
  c(
    "nothing to run",
    ["run-kiln.ts", "core8.wasm", "--engine", "wasmtime"],
    2,
    /^core8\.wasm has nothing to run: no _start export, and no --invoke \(exports: none\)$/,
    { doc: true },
  ),
  c(
    "nothing to run",
    ["run-kiln.ts", "compute.wasm", "--engine", "jco"],
    2,
    /^compute\.wasm has nothing to run: no wasi:cli\/run export, and no --invoke \(exports: seam:fixtures\/runner@0\.1\.0\)$/,
  ),
  c(
    "nothing to run",
    ["run-kiln.ts", "compute.wasm", "--engine", "jco", "--invoke", "nope"],
    2,
    /^no exported function nope \(exported functions: seam:fixtures\/runner@0\.1\.0#compute, seam:fixtures\/runner@0\.1\.0#greet\)$/,
    { warm: true, doc: true },
  ),
  c(
    "nothing to run",
    ["run-kiln.ts", "core8.wasm", "--engine", "wasmtime", "--invoke", "compute"],
    2,
    /^no single core export matches compute \(function exports: none\)$/,
  ),
];
