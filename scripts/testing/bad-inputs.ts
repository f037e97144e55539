/**
 * bad-inputs — seam's bad-input suite as data, in the manner of trycmd and cargo's UI tests: one row per
 * case with the command (script, arguments, environment), the exit code, a pattern for the first stderr
 * line, and the promise that no file changes and none is left behind. scripts/bad-input.test.ts runs
 * every row in a sandbox copy of seam; scripts/troubleshooting.ts renders the README's troubleshooting
 * table from the rows marked `doc`, with the lines they really print. Tests and troubleshooting.ts only.
 *
 * In arguments and environment values: `@fixtures/X` is the sandbox's fixtures/X, `@root` its root, `@meld`
 * the real meld binary (a program that is not kilnd), `@fake-kilnd` the kilnd test double. Relative paths
 * are relative to the case's own folder, which holds KIT below (plus the row's `files`).
 */
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { writeFakeKilnd } from "./fake-kilnd.ts";
import { sha256 } from "../lib/fsx.ts";
import { runProcess, shellQuote } from "../lib/proc.ts";
import { lsGate, tierC } from "./sample-reports.ts";
import { ROOT } from "../lib/tools.ts";

export type CaseClass =
  | "unknown flag"
  | "missing value"
  | "missing file"
  | "not wasm, empty or truncated"
  | "nothing to run"
  | "output is an input"
  | "output is a folder or unwritable"
  | "bad enum value"
  | "bad number"
  | "duplicate list item"
  | "tool variable names nothing"
  | "tool variable names another program"
  | "tool absent"
  | "malformed YAML or manifest"
  | "malformed JSON or not results"
  | "conflicting or misplaced flags";

export interface BadInput {
  class: CaseClass;
  /** The script under scripts/, then its arguments. */
  cmd: string[];
  env?: Record<string, string | undefined>;
  /** Extra files of the case's folder, as in KIT. */
  files?: Record<string, FileSpec>;
  exit: number;
  /** The first stderr line, without the `<script>: error: ` prefix. */
  first: RegExp;
  /** stdout may carry output (tools.ts prints its report before the error line); default: must be empty. */
  stdoutAllowed?: boolean;
  /** How many stderr lines at most (default 2: the error and its hint). */
  maxLines?: number;
  /** A first run may fill a content-addressed cache (jco's transpile of a component); the second run,
   * the one checked, must change nothing. */
  warm?: boolean;
  /** A row of the README's troubleshooting table: the fix in words, when the hint alone does not say it. */
  doc?: true | string;
}

/** What every case folder holds before its command runs. */
export type FileSpec = string | { copy: string } | { bytes: number[] } | { dir: true };

export const KIT: Record<string, FileSpec> = {
  "app.wasm": { copy: "fixtures/hello_c_cli.wasm" },
  "compute.wasm": { copy: "fixtures/compute_composed.wasm" },
  "core8.wasm": { bytes: [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00] },
  "text.wasm": "(module)\n",
  "empty.wasm": "",
  "trunc.wasm": { copy: "fixtures/hello_c_cli.wasm:100" },
  adir: { dir: true },
  "file.txt": "x\n",
  "base/results.json": JSON.stringify(tierC(), null, 2),
  "head/results.json": JSON.stringify(tierC(), null, 2),
  "notjson.json": "{ not json",
  "lsgate.json": JSON.stringify(lsGate(), null, 2),
  "scenarios.yaml": "loss-scenarios:\n  - id: LS-A-1\n    title: one\n    status: approved\n",
  "junit.xml":
    '<?xml version="1.0"?>\n<testsuites><testsuite name="s"><testcase name="ls_a_1_x" classname="s"/></testsuite></testsuites>\n',
  "body.md": "hello\n",
  "crate/Cargo.toml": '[package]\nname = "c"\nversion = "0.1.0"\n',
  "crate/safety/stpa/loss-scenarios.yaml": "loss-scenarios:\n  - id: LS-A-1\n    title: one\n    status: approved\n",
};

const MANIFEST_HEAD = "schema: seam.fixtures/1\nfixtures:\n";
const ONE_LEDGER = (fixture: string) =>
  `blockers:\n  - ref: kiln#1\n    title: t\n    signature: { code: E0BBB }\n    fixtures: [${fixture}]\n`;

/** A compact row. */
function c(cls: CaseClass, cmd: string[], exit: number, first: RegExp, more: Partial<BadInput> = {}): BadInput {
  return { class: cls, cmd, exit, first, ...more };
}

const NO_KILND = { KILND: undefined, MELD_KILND: undefined };

export const BAD_INPUTS: BadInput[] = [
  // --- unknown flag -------------------------------------------------------------------------------
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

  // --- missing value --------------------------------------------------------------------------------
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

  // --- missing file ---------------------------------------------------------------------------------
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

  // --- not wasm, empty or truncated -------------------------------------------------------------
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

  // --- nothing to run -------------------------------------------------------------------------------
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

  // --- output is an input ---------------------------------------------------------------------------
  c(
    "output is an input",
    ["fuse.ts", "app.wasm", "-o", "app.wasm"],
    2,
    /^-o app\.wasm is also the input: writing it would overwrite that file$/,
    { doc: true },
  ),
  c(
    "output is an input",
    ["fuse.ts", "app.wasm", "-o", "./adir/../app.wasm"],
    2,
    /^-o \.\/adir\/\.\.\/app\.wasm is also the input: writing it would overwrite that file$/,
  ),
  c(
    "output is an input",
    ["fuse.ts", "app.wasm", "compute.wasm", "-o", "compute.wasm"],
    2,
    /^-o compute\.wasm is also the input compute\.wasm: writing it would overwrite that file$/,
  ),
  c(
    "output is an input",
    ["fuse.ts", "f.wasm.json", "-o", "f.wasm"],
    2,
    /^the record \(-o's name \+ \.json\) f\.wasm\.json is also the input: writing it would overwrite that file$/,
    { files: { "f.wasm.json": { copy: "fixtures/hello_c_cli.wasm" } } },
  ),
  c(
    "output is an input",
    ["tier-c.ts", "merge", "base", "--out", "."],
    2,
    /^--out \. contains the shard folder base base: writing there could overwrite it$/,
  ),
  c(
    "output is an input",
    ["tier-c.ts", "--out", "@root/fixtures"],
    2,
    /^--out .*fixtures contains the manifest .*manifest\.yaml: writing there could overwrite it$/,
    { doc: true },
  ),
  c(
    "output is an input",
    ["tier-c.ts", "--out", ".", "--ledger", "ledger.yaml"],
    2,
    /^--out \. contains the ledger .*ledger\.yaml: writing there could overwrite it$/,
    { files: { "ledger.yaml": "blockers: []\n" } },
  ),
  c(
    "output is an input",
    ["tier-c.ts", "merge", "base", "--out", "base"],
    2,
    /^--out base contains the shard folder base base: writing there could overwrite it$|^--out base is also the shard folder base/,
  ),
  c(
    "output is an input",
    ["tier-c.ts", "compare", "base", "head", "--out", "base/results.json"],
    2,
    /^--out base\/results\.json is also BASE: writing it would overwrite that file$/,
  ),
  c(
    "output is an input",
    ["tier-c.ts", "compare", "base", "head", "--junit", "head/results.json"],
    2,
    /^--junit head\/results\.json is also HEAD: writing it would overwrite that file$/,
  ),
  c(
    "output is an input",
    ["tier-c.ts", "compare", "base", "head", "--out", "c.md", "--junit", "c.md"],
    2,
    /^--junit c\.md is also --out: one would overwrite the other$/,
  ),
  c(
    "output is an input",
    ["all.ts", "--out", "@root", "--dry-run"],
    2,
    /^--out .* contains seam's fixtures .*fixtures: writing there could overwrite it$|^--out .*is also/,
  ),
  c(
    "output is an input",
    [
      "ls-gate.ts",
      "--runner",
      "junit",
      "--junit",
      "junit.xml",
      "--scenarios",
      "scenarios.yaml",
      "--results-json",
      "scenarios.yaml",
    ],
    2,
    /^--results-json .*scenarios\.yaml is also the scenarios file: writing it would overwrite that file$/,
  ),
  c(
    "output is an input",
    [
      "ls-gate.ts",
      "--runner",
      "junit",
      "--junit",
      "junit.xml",
      "--scenarios",
      "scenarios.yaml",
      "--results-json",
      "r.json",
      "--markdown",
      "junit.xml",
    ],
    2,
    /^--markdown .*junit\.xml is also a --junit report: writing it would overwrite that file$/,
  ),
  c(
    "output is an input",
    ["post-comment.ts", "--report", "lsgate.json", "--pr", "1", "--repo", "o/r"],
    2,
    /^GITHUB_STEP_SUMMARY lsgate\.json is also the --report lsgate\.json: writing it would overwrite that file$/,
    { env: { GITHUB_STEP_SUMMARY: "lsgate.json" } },
  ),

  // --- output is a folder or unwritable ---------------------------------------------------------------
  c(
    "output is a folder or unwritable",
    ["fuse.ts", "app.wasm", "-o", "adir"],
    2,
    /^-o: cannot write .*adir: it is a folder$/,
    { doc: true },
  ),
  c(
    "output is a folder or unwritable",
    ["fuse.ts", "app.wasm", "-o", "newdir/"],
    2,
    /^-o newdir\/ ends in \/, which names a folder$/,
  ),
  c(
    "output is a folder or unwritable",
    ["fuse.ts", "app.wasm", "-o", "/proc/seam/f.wasm"],
    2,
    /^-o: cannot write to \/proc\/seam: ENOENT$/,
  ),
  c(
    "output is a folder or unwritable",
    ["fuse.ts", "app.wasm", "-o", "file.txt/f.wasm"],
    2,
    /^-o: cannot write to file\.txt: .*file\.txt is a file, not a folder$/,
  ),
  c(
    "output is a folder or unwritable",
    ["tier-c.ts", "--out", "file.txt"],
    2,
    /^--out: cannot write to file\.txt: it is a file, not a folder$/,
    { doc: true },
  ),
  c(
    "output is a folder or unwritable",
    ["tier-c.ts", "--out", "/proc/seam-x"],
    2,
    /^--out: cannot write to \/proc\/seam-x: ENOENT$/,
  ),
  c(
    "output is a folder or unwritable",
    ["tier-c.ts", "merge", "base", "--out", "file.txt"],
    2,
    /^--out: cannot write to file\.txt: it is a file, not a folder$/,
  ),
  c(
    "output is a folder or unwritable",
    ["tier-c.ts", "compare", "base", "head", "--out", "adir"],
    2,
    /^--out: cannot write adir: it is a folder$/,
  ),
  c(
    "output is a folder or unwritable",
    ["tier-c.ts", "compare", "base", "head", "--junit", "/proc/seam/j.xml"],
    2,
    /^--junit: cannot write to \/proc\/seam: ENOENT$/,
  ),
  c(
    "output is a folder or unwritable",
    ["all.ts", "--out", "file.txt"],
    2,
    /^--out: cannot write to file\.txt: it is a file, not a folder$/,
  ),
  c(
    "output is a folder or unwritable",
    [
      "ls-gate.ts",
      "--runner",
      "junit",
      "--junit",
      "junit.xml",
      "--scenarios",
      "scenarios.yaml",
      "--results-json",
      "adir",
    ],
    2,
    /^--results-json: cannot write .*adir: it is a folder$/,
  ),
  c(
    "output is a folder or unwritable",
    [
      "ls-gate.ts",
      "--runner",
      "junit",
      "--junit",
      "junit.xml",
      "--scenarios",
      "scenarios.yaml",
      "--results-json",
      "r.json",
      "--markdown",
      "/proc/seam/m.md",
    ],
    2,
    /^--markdown: cannot write to \/proc\/seam: ENOENT$/,
  ),
  c(
    "output is a folder or unwritable",
    [
      "ls-gate.ts",
      "--runner",
      "junit",
      "--junit",
      "junit.xml",
      "--scenarios",
      "scenarios.yaml",
      "--results-json",
      "r.json",
    ],
    2,
    /^GITHUB_STEP_SUMMARY .*summary\.md is in a folder that does not exist$/,
    { env: { GITHUB_STEP_SUMMARY: "nowhere/summary.md" } },
  ),
  c(
    "output is a folder or unwritable",
    ["post-comment.ts", "--report", "lsgate.json", "--pr", "1", "--repo", "o/r"],
    2,
    /^GITHUB_STEP_SUMMARY nowhere\/s\.md is in a folder that does not exist$/,
    { env: { GITHUB_STEP_SUMMARY: "nowhere/s.md" } },
  ),

  // --- bad enum value -------------------------------------------------------------------------------
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

  // --- bad number -----------------------------------------------------------------------------------
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

  // --- duplicate list item ---------------------------------------------------------------------------
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

  // --- tool variable names nothing -----------------------------------------------------------------
  c(
    "tool variable names nothing",
    ["fuse.ts", "app.wasm", "-o", "f.wasm"],
    3,
    /^MELD=\/nonexistent\/meld is not an executable file$/,
    { env: { MELD: "/nonexistent/meld" }, doc: true },
  ),
  c(
    "tool variable names nothing",
    ["fuse.ts", "app.wasm", "-o", "f.wasm", "--meld", "nope"],
    3,
    /^--meld nope is not an executable file$/,
  ),
  c(
    "tool variable names nothing",
    ["run-kiln.ts", "app.wasm"],
    3,
    /^KILND=\/nonexistent\/kilnd is not an executable file$/,
    { env: { KILND: "/nonexistent/kilnd" }, doc: true },
  ),
  c(
    "tool variable names nothing",
    ["run-kiln.ts", "app.wasm"],
    3,
    /^MELD_KILND=\/nonexistent\/kilnd is not an executable file$/,
    { env: { KILND: undefined, MELD_KILND: "/nonexistent/kilnd" } },
  ),
  c(
    "tool variable names nothing",
    ["run-kiln.ts", "app.wasm", "--kilnd", "adir"],
    3,
    /^--kilnd adir is not an executable file$/,
  ),
  c(
    "tool variable names nothing",
    ["run-kiln.ts", "app.wasm", "--engine", "wasmtime"],
    3,
    /^WASMTIME=\/nonexistent is not an executable file$/,
    { env: { WASMTIME: "/nonexistent" } },
  ),
  c(
    "tool variable names nothing",
    ["run-kiln.ts", "app.wasm", "--engine", "jco"],
    3,
    /^JCO=\/nonexistent is not an executable file$/,
    { env: { JCO: "/nonexistent" } },
  ),
  c(
    "tool variable names nothing",
    ["tier-c.ts", "--out", "o"],
    3,
    /^KILND=\/nonexistent\/kilnd is not an executable file$/,
    { env: { KILND: "/nonexistent/kilnd" } },
  ),
  c("tool variable names nothing", ["tier-c.ts", "--out", "o"], 3, /^MELD=\/nonexistent is not an executable file$/, {
    env: { MELD: "/nonexistent" },
  }),
  c("tool variable names nothing", ["tools.ts"], 3, /^KILND=\/nonexistent\/kilnd is not an executable file$/, {
    env: { KILND: "/nonexistent/kilnd" },
    stdoutAllowed: true,
  }),
  c(
    "tool variable names nothing",
    ["all.ts", "tier-c", "--out", "o"],
    3,
    /^WASMTIME=\/nonexistent is not an executable file$/,
    { env: { WASMTIME: "/nonexistent" } },
  ),
  c(
    "tool variable names nothing",
    ["fixtures.ts", "build", "--check"],
    3,
    /^CLANG=\/nonexistent\/clang does not exist$/,
    { env: { CLANG: "/nonexistent/clang" } },
  ),
  c(
    "tool variable names nothing",
    ["fixtures.ts", "build", "--check"],
    3,
    /^RUSTC=\/nonexistent\/rustc does not exist$/,
    { env: { RUSTC: "/nonexistent/rustc" } },
  ),
  c(
    "tool variable names nothing",
    ["ls-gate.ts", "--runner", "cargo", "--project", "crate", "--results-json", "r.json"],
    3,
    /^CARGO=\/nonexistent\/cargo cannot be run \(ENOENT\)$/,
    { env: { CARGO: "/nonexistent/cargo" }, doc: true },
  ),

  // --- tool variable names another program ---------------------------------------------------------
  c(
    "tool variable names another program",
    ["run-kiln.ts", "app.wasm"],
    3,
    /^KILND=\/bin\/true does not answer like kilnd: `kilnd --help` printed .*, expected help starting `WebAssembly Runtime Daemon \(kilnd\)`/,
    { env: { KILND: "/bin/true" }, doc: true },
  ),
  c(
    "tool variable names another program",
    ["tier-c.ts", "--out", "o"],
    3,
    /^KILND=\/bin\/true does not answer like kilnd/,
    { env: { KILND: "/bin/true" } },
  ),
  c(
    "tool variable names another program",
    ["tier-c.ts", "--out", "o"],
    3,
    /^KILND=.*meld does not answer like kilnd: `kilnd --help` printed "/,
    { env: { KILND: "@meld" } },
  ),
  c(
    "tool variable names another program",
    ["tier-c.ts", "--out", "o", "--meld", "@fake-kilnd"],
    3,
    /^--meld .*kilnd does not answer like meld: `meld --version` printed /,
  ),
  c(
    "tool variable names another program",
    ["tier-c.ts", "--out", "o"],
    3,
    /^JCO=\/bin\/true does not answer like jco/,
    { env: { JCO: "/bin/true" } },
  ),
  c("tool variable names another program", ["tools.ts", "--json"], 3, /^KILND=\/bin\/true does not answer like kilnd/, {
    env: { KILND: "/bin/true" },
    stdoutAllowed: true,
  }),
  c(
    "tool variable names another program",
    ["fuse.ts", "app.wasm", "-o", "f.wasm"],
    3,
    /^MELD=\/bin\/echo does not answer like meld: `meld --version` printed ".*" \(exit 0\), expected `meld X\.Y\.Z`$/,
    { env: { MELD: "/bin/echo" }, doc: true },
  ),
  c(
    "tool variable names another program",
    ["run-kiln.ts", "app.wasm", "--engine", "wasmtime"],
    3,
    /^WASMTIME=\/bin\/false does not answer like wasmtime: `wasmtime --version` printed .* \(exit 1\), expected `wasmtime X\.Y\.Z`$/,
    { env: { WASMTIME: "/bin/false" } },
  ),
  c(
    "tool variable names another program",
    ["fixtures.ts", "build", "--check"],
    3,
    /^CLANG=\/bin\/true does not answer like clang: --version did not name a clang version$/,
    { env: { CLANG: "/bin/true" } },
  ),
  c(
    "tool variable names another program",
    ["fixtures.ts", "verify", "--run"],
    3,
    /^JCO=\/bin\/true does not answer like jco/,
    { env: { JCO: "/bin/true" } },
  ),
  c(
    "tool variable names another program",
    ["all.ts", "fuse", "--out", "o"],
    3,
    /^MELD=\/bin\/true does not answer like meld/,
    { env: { MELD: "/bin/true" } },
  ),
  c(
    "tool variable names another program",
    ["ls-gate.ts", "--runner", "cargo", "--project", "crate", "--results-json", "r.json"],
    3,
    /^CARGO=\/bin\/true does not answer like cargo: `cargo --version` printed .* \(exit 0\), expected `cargo X\.Y\.Z`$/,
    { env: { CARGO: "/bin/true" } },
  ),

  // --- tool absent -----------------------------------------------------------------------------------
  c(
    "tool absent",
    ["fuse.ts", "app.wasm", "-o", "f.wasm"],
    3,
    /^meld not found \(looked at \$MELD, \.tools\/, PATH, \.\.\/meld\/target\/release\/meld, \.\.\/meld\/target\/debug\/meld\)$/,
    {
      env: { PATH: "/usr/bin:/bin" },
      doc: "`npx bun scripts/tools.ts --install` (needs `python3` with `venv`), or `MELD=/path/to/meld`",
    },
  ),
  c(
    "tool absent",
    ["run-kiln.ts", "app.wasm"],
    3,
    /^kilnd not found \(looked at \$KILND, \$MELD_KILND, \.tools\/, PATH, \.\.\/kiln\/target\/release\/kilnd, \.\.\/kiln\/target\/debug\/kilnd\)$/,
    {
      env: { ...NO_KILND },
      doc: "`KILND=/path/to/kilnd` (or `MELD_KILND`), or build kiln in `../kiln` with `cargo build --release`. tier-c and all skip the kiln cells instead (not a failure)",
    },
  ),
  c(
    "tool absent",
    ["run-kiln.ts", "app.wasm", "--engine", "wasmtime"],
    3,
    /^wasmtime not found \(looked at \$WASMTIME, \.tools\/, PATH\)$/,
    { env: { PATH: "/usr/bin:/bin" }, doc: true },
  ),
  c(
    "tool absent",
    ["ls-gate.ts", "--runner", "cargo", "--project", "crate", "--results-json", "r.json"],
    3,
    /^cargo not found \(ENOENT: not on PATH\)$/,
    { env: { PATH: "/nonexistent" }, doc: true },
  ),
  c("tool absent", ["tools.ts", "--require", "kilnd"], 3, /^kilnd not found/, {
    env: { ...NO_KILND },
    stdoutAllowed: true,
  }),

  // --- malformed YAML or manifest --------------------------------------------------------------------
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

  // --- malformed JSON or not results -------------------------------------------------------------------
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

  // --- conflicting or misplaced flags -----------------------------------------------------------------
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

/** The cases by class, for the suite's summary and the README. */
export function countByClass(cases: BadInput[] = BAD_INPUTS): Map<CaseClass, number> {
  const m = new Map<CaseClass, number>();
  for (const x of cases) m.set(x.class, (m.get(x.class) ?? 0) + 1);
  return m;
}

/** What a documented case printed, as the README shows it. */
export interface Observed {
  command: string;
  exit: number;
  first: string;
  hint?: string;
}

export const README_START =
  "<!-- troubleshooting: generated by scripts/troubleshooting.ts from scripts/testing/bad-inputs.ts; do not edit by hand -->";
export const README_END = "<!-- troubleshooting: end -->";

const cell = (s: string) => s.replace(/\|/g, "\\|");
const code = (s: string) => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);

/** The README's generated troubleshooting table: one row per documented case, as observed. */
export function renderTroubleshooting(docs: { row: BadInput; seen: Observed }[], counts = countByClass()): string {
  const total = [...counts.values()].reduce((a, n) => a + n, 0);
  return [
    README_START,
    `Every row below is a case of seam's bad-input suite (\`scripts/bad-input.test.ts\`, ${total} cases in ${counts.size} classes), with the line it really prints. Each case also checks the exit code and that no file changed or was left behind.`,
    "",
    "| what you ran | what seam says | exit | fix |",
    "|---|---|---|---|",
    ...docs.map(
      ({ row, seen }) =>
        `| ${code(cell(seen.command))} | ${code(cell(seen.first))} | ${seen.exit} | ${cell(typeof row.doc === "string" ? row.doc : (seen.hint ?? "—"))} |`,
    ),
    "",
    `Cases per class: ${[...counts].map(([k, n]) => `${k} ${n}`).join(" · ")}.`,
    README_END,
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------
// The harness: a sandbox copy of seam, each case in a folder of its own, the tree hashed before and after.

export interface Sandbox {
  /** Everything a case can touch: the copy of seam, the case folders, TMPDIR. */
  dir: string;
  /** The copy of seam (its ROOT as the scripts see it). */
  root: string;
  env: Record<string, string | undefined>;
  tokens: Record<string, string>;
}

/** The variables a user's shell may carry that change what a case does: cleared for every case. */
const CLEARED = [
  "KILND",
  "MELD_KILND",
  "MELD",
  "WASMTIME",
  "JCO",
  "CLANG",
  "RUSTC",
  "CARGO",
  "GH_TOKEN",
  "GITHUB_TOKEN",
  "GITHUB_ACTIONS",
  "GITHUB_EVENT_PATH",
  "GITHUB_EVENT_NAME",
  "GITHUB_REF",
  "GITHUB_REPOSITORY",
  "GH_REPO",
  "GITHUB_STEP_SUMMARY",
  "GITHUB_API_URL",
  "SEAM_DEBUG",
  "FAKE_KILND_SCENARIO",
  "FAKE_KILND_RULES",
  "FAKE_KILND_LOG",
];

/**
 * Copies seam (scripts, fixtures without the recorded transcripts and the cargo demo, safety, package
 * files) into a temp folder, with node_modules linked; meld and wasmtime come from the real .tools/bin on
 * PATH (the copy has no .tools/, so a PATH without it means "meld absent"). Tool identities are probed
 * once here, so a case's own run has nothing to remember.
 */
export async function makeSandbox(): Promise<Sandbox> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "seam-bad-input-")));
  const root = join(dir, "seam");
  const skip = new Set([join(ROOT, "fixtures", "kilnd-0.4.4"), join(ROOT, "fixtures", "ls-demo")]);
  for (const part of ["scripts", "fixtures", "safety", "package.json", "tsconfig.json", "bunfig.toml"]) {
    cpSync(join(ROOT, part), join(root, part), { recursive: true, filter: (src) => !skip.has(src) });
  }
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  for (const d of ["work", "tmp", "bin"]) mkdirSync(join(dir, d));
  const fakeKilnd = writeFakeKilnd(join(dir, "bin"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: "1",
    TMPDIR: join(dir, "tmp"),
    PATH: `${join(ROOT, ".tools", "bin")}:/usr/bin:/bin`,
  };
  for (const k of CLEARED) env[k] = undefined;
  const meld = join(ROOT, ".tools", "bin", "meld");
  const sandbox: Sandbox = {
    dir,
    root,
    env,
    tokens: { "@fixtures": join(root, "fixtures"), "@root": root, "@meld": meld, "@fake-kilnd": fakeKilnd },
  };
  // Probe every tool the cases use as a tool once (identities and versions are remembered in .seam/).
  for (const extra of [{}, { KILND: fakeKilnd }]) {
    const p = await runProcess([process.execPath, join(root, "scripts", "tools.ts")], {
      cwd: join(dir, "work"),
      env: { ...env, ...extra },
      timeoutMs: 120_000,
    });
    if (p.code !== 0) throw new Error(`sandbox: tools.ts exited ${p.code}: ${p.stderr}`);
  }
  return sandbox;
}

/** Replaces the @tokens of an argument or environment value. */
function expand(s: string, sb: Sandbox): string {
  return s.replace(/@(fixtures|root|meld|fake-kilnd)/g, (t) => sb.tokens[t] ?? t);
}

/** A map of every path under `dir` (symlinks not followed) to what it is: a folder, a link's target, or a
 * file's size, mtime and (up to 1 MiB) sha256. Two equal maps: nothing changed, nothing left behind. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.set(p, `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(p, "dir");
        walk(p);
      } else out.set(p, `${st.size} ${st.mtimeMs} ${st.size <= 1 << 20 ? sha256(readFileSync(p)) : ""}`);
    }
  };
  walk(dir);
  return out;
}

/** The paths two snapshots disagree on: changed, new (left behind) or gone. */
export function treeDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of after)
    if (!before.has(p)) out.push(`left behind: ${p}`);
    else if (before.get(p) !== v) out.push(`changed: ${p}`);
  for (const p of before.keys()) if (!after.has(p)) out.push(`removed: ${p}`);
  return out;
}

/** Fills a case folder with KIT and the row's files. */
function fillCase(sb: Sandbox, at: string, row: BadInput): void {
  for (const [name, spec] of Object.entries({ ...KIT, ...(row.files ?? {}) })) {
    const p = join(at, name);
    mkdirSync(dirname(p), { recursive: true });
    if (typeof spec === "string") writeFileSync(p, spec);
    else if ("dir" in spec) mkdirSync(p, { recursive: true });
    else if ("bytes" in spec) writeFileSync(p, Uint8Array.from(spec.bytes));
    else {
      const [from, cut] = spec.copy.split(":");
      const bytes = readFileSync(join(sb.root, from!));
      writeFileSync(p, cut ? bytes.subarray(0, Number(cut)) : bytes);
    }
  }
}

export interface CaseResult {
  observed: Observed;
  stdout: string;
  stderr: string;
  /** What went against the row (empty: the case holds). */
  problems: string[];
}

/** The command line of a case as a user types it (paths as given, tokens as in the row). */
export function commandLine(row: BadInput): string {
  const env = Object.entries(row.env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${shellQuote(v)}`]));
  return [...env, "bun", `scripts/${row.cmd[0]}`, ...row.cmd.slice(1).map(shellQuote)]
    .join(" ")
    .replace(/@root\/?/g, "seam/")
    .replace(/@fixtures/g, "seam/fixtures")
    .replace(/@meld/g, "/path/to/meld")
    .replace(/@fake-kilnd/g, "/path/to/kilnd");
}

/** Runs one row in its own folder of the sandbox and checks everything the row promises. */
export async function runCase(sb: Sandbox, row: BadInput, id: string): Promise<CaseResult> {
  const at = join(sb.dir, "work", id);
  mkdirSync(at);
  fillCase(sb, at, row);
  const env = { ...sb.env };
  for (const [k, v] of Object.entries(row.env ?? {})) env[k] = v === undefined ? undefined : expand(v, sb);
  const argv = [process.execPath, join(sb.root, "scripts", row.cmd[0]!), ...row.cmd.slice(1).map((a) => expand(a, sb))];
  const run = () => runProcess(argv, { cwd: at, env, timeoutMs: 120_000, stdin: "" });
  if (row.warm) await run();
  const before = snapshot(sb.dir);
  const p = await run();
  const after = snapshot(sb.dir);
  const prog = row.cmd[0]!.replace(/\.ts$/, "");
  const lines = p.stderr.replace(/\n$/, "").split("\n");
  const first = lines[0]!.replace(new RegExp(`^${prog}: error: `), "");
  const hint = lines.find((l) => l.startsWith(`${prog}: hint: `))?.slice(`${prog}: hint: `.length);
  const problems: string[] = [];
  if (p.code !== row.exit) problems.push(`exit ${p.code ?? p.signal}, expected ${row.exit}`);
  if (!lines[0]!.startsWith(`${prog}: error: `)) problems.push(`the first stderr line is not "${prog}: error: …"`);
  if (!row.first.test(first)) problems.push(`the first stderr line does not match ${row.first}`);
  if (lines.length > (row.maxLines ?? 2))
    problems.push(`${lines.length} stderr lines, expected at most ${row.maxLines ?? 2}`);
  if (lines.some((l) => /^\s+at \S/.test(l) || l.includes("internal error")))
    problems.push("a stack trace or an internal error reached the user");
  if (!row.stdoutAllowed && p.stdout !== "")
    problems.push(`stdout is not empty: ${JSON.stringify(p.stdout.slice(0, 200))}`);
  problems.push(...treeDiff(before, after));
  rmSync(at, { recursive: true, force: true });
  const shown = (s: string) =>
    s
      .split(`${at}/`)
      .join("")
      .split(at)
      .join(".")
      .split(`${sb.root}/`)
      .join("seam/")
      .split(sb.root)
      .join("seam")
      .split(`${ROOT}/`)
      .join("")
      .split(sb.dir)
      .join("$TMP");
  return {
    observed: {
      command: commandLine(row),
      exit: p.code ?? -1,
      first: shown(first),
      ...(hint ? { hint: shown(hint) } : {}),
    },
    stdout: p.stdout,
    stderr: p.stderr,
    problems,
  };
}
