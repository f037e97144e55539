/**
 * Bad-input cases, tools: a variable naming nothing or another program, a tool absent. The fields and
 * @tokens of a row: scripts/testing/bad-inputs/case.ts; the harness that runs the rows:
 * scripts/testing/bad-inputs.ts.
 */
import { type BadInput, c, NO_KILND } from "./case.ts";

export const TOOL_CASES: BadInput[] = [
  // --- tool variable names nothing ---------------------------------------------------------------
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

  // --- tool variable names another program -------------------------------------------------------
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

  // --- tool absent -------------------------------------------------------------------------------
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
];
