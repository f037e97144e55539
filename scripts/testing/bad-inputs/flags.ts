/**
 * Bad-input cases, a flag the script does not know, or one given without its value. The fields and @tokens
 * of a row: scripts/testing/bad-inputs/case.ts; the harness that runs the rows:
 * scripts/testing/bad-inputs.ts.
 */
import { type BadInput, c } from "./case.ts";

export const FLAG_CASES: BadInput[] = [
  // --- unknown flag ------------------------------------------------------------------------------
  c("unknown flag", ["fuse.ts", "app.wasm", "-o", "f.wasm", "--bogus"], 2, /^Unknown option '--bogus'$/, { doc: true }),
  c("unknown flag", ["run-kiln.ts", "app.wasm", "-j", "2"], 2, /^Unknown option '-j'$/),
  c("unknown flag", ["tier-c.ts", "--memroy", "multi"], 2, /^Unknown option '--memroy'$/),
  c("unknown flag", ["tier-c.ts", "merge", "base", "--bogus"], 2, /^Unknown option '--bogus'$/),
  c("unknown flag", ["tier-c.ts", "compare", "base", "head", "--bogus"], 2, /^Unknown option '--bogus'$/),
  c("unknown flag", ["fixtures.ts", "verify", "--bogus"], 2, /^Unknown option '--bogus'$/),
  c("unknown flag", ["tools.ts", "--instal"], 2, /^Unknown option '--instal'$/),
  c("unknown flag", ["all.ts", "--bogus"], 2, /^Unknown option '--bogus'$/),
  c("unknown flag", ["bench.ts", "--bogus"], 2, /^Unknown option '--bogus'$/),
  c("unknown flag", ["ls-gate.ts", "--bogus"], 2, /^Unknown option '--bogus'$/),
  c("unknown flag", ["post-comment.ts", "--bogus"], 2, /^Unknown option '--bogus'$/),

  // --- missing value -----------------------------------------------------------------------------
  c("missing value", ["fuse.ts", "app.wasm", "-o"], 2, /^Option '-o, --output <value>' argument missing$/, {
    doc: true,
  }),
  c("missing value", ["run-kiln.ts", "app.wasm", "--engine"], 2, /^Option '--engine <value>' argument missing$/),
  c("missing value", ["tier-c.ts", "--out"], 2, /^Option '--out <value>' argument missing$/),
  c("missing value", ["tier-c.ts", "merge", "base", "--out"], 2, /^Option '--out <value>' argument missing$/),
  c(
    "missing value",
    ["tier-c.ts", "compare", "base", "head", "--junit"],
    2,
    /^Option '--junit <value>' argument missing$/,
  ),
  c("missing value", ["fixtures.ts", "verify", "--manifest"], 2, /^Option '--manifest <value>' argument missing$/),
  c("missing value", ["tools.ts", "--require"], 2, /^Option '--require <value>' argument missing$/),
  c("missing value", ["all.ts", "--out"], 2, /^Option '--out <value>' argument missing$/),
  c("missing value", ["bench.ts", "--reps"], 2, /^Option '--reps <value>' argument missing$/),
  c("missing value", ["ls-gate.ts", "--results-json"], 2, /^Option '--results-json <value>' argument missing$/),
  c("missing value", ["post-comment.ts", "--pr"], 2, /^Option '--pr <value>' argument missing$/),
  c("missing value", ["tier-c.ts", "--out", ""], 2, /^--out is an empty path$/),
  c("missing value", ["run-kiln.ts", ""], 2, /^input is an empty path$/),
  c("missing value", ["run-kiln.ts", "app.wasm", "--invoke", ""], 2, /^--invoke is empty$/),
  c(
    "missing value",
    ["all.ts", "--baseline", "", "--dry-run"],
    2,
    /^an empty path: pass a tier-c results\.json or its --out folder$/,
  ),
  c("missing value", ["fuse.ts", "app.wasm", "-o", ""], 2, /^missing -o <out\.wasm>$/),
  c("missing value", ["tier-c.ts", "compare", "base", "head", "--junit", " "], 2, /^--junit is an empty path$/),
];
