/**
 * Bad-input cases, flag values: an unknown name, a bad number, an item listed twice. The fields and
 * @tokens of a row: scripts/testing/bad-inputs/case.ts; the harness that runs the rows:
 * scripts/testing/bad-inputs.ts.
 */
import { type BadInput, c } from "./case.ts";

export const VALUE_CASES: BadInput[] = [
  // --- bad enum value ----------------------------------------------------------------------------
  c(
    "bad enum value",
    ["fuse.ts", "app.wasm", "-o", "f.wasm", "--memory", "Shared"],
    2,
    /^--memory: unknown value "Shared" \(known: multi, shared\)$/,
    { doc: true },
  ),
  c(
    "bad enum value",
    ["run-kiln.ts", "app.wasm", "--engine", "Jco"],
    2,
    /^--engine: unknown value "Jco" \(known: kiln, jco, wasmtime\)$/,
  ),
  c(
    "bad enum value",
    ["tier-c.ts", "--memory", "triple"],
    2,
    /^--memory: unknown value "triple" \(known: multi, shared\)$/,
  ),
  c(
    "bad enum value",
    ["tier-c.ts", "--form", "component,kore"],
    2,
    /^--form: unknown value "kore" \(known: component, core\)$/,
  ),
  c("bad enum value", ["tier-c.ts", "--form", "component,"], 2, /^--form: an empty item$/),
  c(
    "bad enum value",
    ["tier-c.ts", "--reference", "node"],
    2,
    /^--reference: unknown value "node" \(known: jco, wasmtime\)$/,
  ),
  c(
    "bad enum value",
    ["tier-c.ts", "--baseline", "base", "--fail-on", "toString"],
    2,
    /^--fail-on: unknown value "toString" \(known: regressed, moved, any, none\)$/,
  ),
  c(
    "bad enum value",
    ["tier-c.ts", "compare", "base", "head", "--fail-on", "sometimes"],
    2,
    /^--fail-on: unknown value "sometimes"/,
  ),
  c(
    "bad enum value",
    ["fixtures.ts", "verify", "--engine", "node"],
    2,
    /^--engine: unknown value "node" \(known: jco, wasmtime\)$/,
  ),
  c("bad enum value", ["fixtures.ts", "rebuild"], 2, /^unknown command: rebuild$/),
  c("bad enum value", ["all.ts", "--memory", "multi,triple", "--dry-run"], 2, /^--memory: unknown value "triple"/),
  c("bad enum value", ["all.ts", "tier-d", "--dry-run"], 2, /^unknown target: tier-d$/),
  c("bad enum value", ["bench.ts", "constructor"], 2, /^benchmark: unknown value "constructor"/),
  c(
    "bad enum value",
    ["tools.ts", "--require", "meld,cargo-magic"],
    2,
    /^--require: unknown value "cargo-magic" \(known: meld, kilnd, wasmtime, jco\)$/,
  ),
  c(
    "bad enum value",
    ["ls-gate.ts", "--runner", "maven"],
    2,
    /^--runner: unknown value "maven" \(known: cargo, bun, junit\)$/,
  ),
  c(
    "bad enum value",
    ["post-comment.ts", "--mode", "replace", "--report", "lsgate.json", "--dry-run"],
    2,
    /^--mode: unknown value "replace" \(known: upsert, recreate, delete\)$/,
  ),

  // --- bad number --------------------------------------------------------------------------------
  c(
    "bad number",
    ["run-kiln.ts", "app.wasm", "--timeout", "-1"],
    2,
    /^--timeout expects a number of seconds > 0, got: -1$/,
    { doc: true },
  ),
  c(
    "bad number",
    ["run-kiln.ts", "app.wasm", "--timeout", "0"],
    2,
    /^--timeout expects a number of seconds > 0, got: 0$/,
  ),
  c(
    "bad number",
    ["run-kiln.ts", "app.wasm", "--timeout", "10s"],
    2,
    /^--timeout expects a number of seconds > 0, got: 10s$/,
  ),
  c("bad number", ["run-kiln.ts", "app.wasm", "--fuel", "-5"], 2, /^--fuel expects a positive whole number, got: -5$/),
  c(
    "bad number",
    ["run-kiln.ts", "app.wasm", "--fuel", "1e3"],
    2,
    /^--fuel expects a positive whole number, got: 1e3$/,
  ),
  c("bad number", ["tier-c.ts", "-j", "-1"], 2, /^-j expects a positive whole number, got: -1$/, { doc: true }),
  c("bad number", ["tier-c.ts", "-j", "0"], 2, /^-j expects a positive whole number, got: 0$/),
  c("bad number", ["tier-c.ts", "-j", "1.5"], 2, /^-j expects a positive whole number, got: 1\.5$/),
  c("bad number", ["tier-c.ts", "--timeout", "-1"], 2, /^--timeout expects a number of seconds > 0, got: -1$/),
  c("bad number", ["tier-c.ts", "--fuel", "lots"], 2, /^--fuel expects a positive whole number, got: lots$/),
  c("bad number", ["tier-c.ts", "--shard", "3/2"], 2, /^--shard expects i\/n with 1 ≤ i ≤ n, got: 3\/2$/),
  c("bad number", ["tier-c.ts", "--shard", "-1/2"], 2, /^--shard expects i\/n with 1 ≤ i ≤ n, got: -1\/2$/),
  c("bad number", ["all.ts", "-j", "-1", "--dry-run"], 2, /^-j expects a positive whole number, got: -1$/),
  c("bad number", ["fixtures.ts", "verify", "--jobs", "0"], 2, /^--jobs expects a positive whole number, got: 0$/),
  c("bad number", ["bench.ts", "--reps", "-3"], 2, /^--reps expects a positive whole number, got: -3$/),
  c(
    "bad number",
    ["ls-gate.ts", "--runner", "junit", "--junit", "junit.xml", "--timeout", "-1"],
    2,
    /^--timeout expects a number of seconds > 0, got: -1$/,
  ),
  c(
    "bad number",
    ["ls-gate.ts", "--runner", "junit", "--junit", "junit.xml", "--runner-status", "x"],
    2,
    /^--runner-status expects a whole number, got: x$/,
  ),
  c(
    "bad number",
    ["post-comment.ts", "--pr", "-1", "--report", "lsgate.json", "--dry-run"],
    2,
    /^--pr "-1" is not a pull-request number$/,
  ),

  // --- duplicate list item -----------------------------------------------------------------------
  c("duplicate list item", ["tier-c.ts", "--memory", "multi,multi"], 2, /^--memory: multi is listed twice$/, {
    doc: true,
  }),
  c("duplicate list item", ["tier-c.ts", "--form", "core,component,core"], 2, /^--form: core is listed twice$/),
  c(
    "duplicate list item",
    ["all.ts", "--memory", "shared,shared", "--dry-run"],
    2,
    /^--memory: shared is listed twice$/,
  ),
  c(
    "duplicate list item",
    ["all.ts", "--form", "component,component", "--dry-run"],
    2,
    /^--form: component is listed twice$/,
  ),
  c("duplicate list item", ["tools.ts", "--require", "meld,meld"], 2, /^--require: meld is listed twice$/),
  c("duplicate list item", ["bench.ts", "compare", "compare"], 2, /^benchmark: compare is listed twice$/),
  c("duplicate list item", ["run-kiln.ts", "app.wasm", "--env", "K=1", "--env", "K=2"], 2, /^--env: K is given twice$/),
  c(
    "duplicate list item",
    ["tier-c.ts", "merge", "base", "./base"],
    2,
    /^merge: shard folder \.\/base is given twice \(as base too\)$/,
  ),
  c(
    "duplicate list item",
    ["tier-c.ts", "--fixture", "hello_c_cli", "--fixture", "hello_c_cli"],
    2,
    /^--fixture hello_c_cli is given twice$/,
  ),
  c(
    "duplicate list item",
    ["fixtures.ts", "verify", "--fixture", "trap", "--fixture", "trap"],
    2,
    /^--fixture trap is given twice$/,
  ),
  c("duplicate list item", ["all.ts", "tier-c", "tier-c", "--dry-run"], 2, /^target tier-c is given twice$/),
  c(
    "duplicate list item",
    [
      "ls-gate.ts",
      "--runner",
      "junit",
      "--junit",
      "junit.xml",
      "--junit",
      "./junit.xml",
      "--scenarios",
      "scenarios.yaml",
    ],
    2,
    /^--junit \.\/junit\.xml is given twice \(as junit\.xml too\)$/,
  ),
  c(
    "duplicate list item",
    ["post-comment.ts", "--report", "lsgate.json", "--report", "lsgate.json", "--dry-run"],
    2,
    /^--report lsgate\.json is given twice$/,
  ),
];
