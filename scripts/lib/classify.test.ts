import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { classifyJco, classifyKiln, parseKilnTranscript, parseSignature } from "./classify.ts";
import { resultMatches } from "./judge.ts";
import type { ProcResult } from "./proc.ts";
import { formatSignature } from "./records.ts";
import { ROOT } from "./tools.ts";

const TRANSCRIPTS = join(ROOT, "fixtures", "kilnd-0.4.4", "transcripts");

function proc(over: Partial<ProcResult>): ProcResult {
  return {
    argv: [],
    code: 0,
    signal: null,
    stdout: "",
    stderr: "",
    stdoutBytes: 0,
    stderrBytes: 0,
    stdoutSha256: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    stdoutTail: "",
    stderrTail: "",
    ms: 1,
    timedOut: false,
    ...over,
  };
}

/** A recorded case as the process result kilnd gave, optionally with its exit status changed. */
function recorded(name: string, code?: number): ProcResult {
  const meta = JSON.parse(readFileSync(join(TRANSCRIPTS, `${name}.json`), "utf8")) as { exit: number };
  return proc({
    code: code ?? meta.exit,
    stdout: readFileSync(join(TRANSCRIPTS, `${name}.stdout`), "utf8"),
    stderr: readFileSync(join(TRANSCRIPTS, `${name}.stderr`), "utf8"),
  });
}

const sha16 = (s: string) => (s === "" ? "" : createHash("sha256").update(s).digest("hex").slice(0, 16));

/** Every recorded case: verdict, kiln's signature, sha256 of the guest's stdout (first 16), the values
 * (typed as kilnd types a core function's, or bare as `--invoke` prints a component export's). */
const EXPECTED: [string, string, string, string, string][] = [
  ["hello_c_cli.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["hello_c_cli.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["hello_c_cli.fused-core", "passed", "", "b81c16e28c2d57c2", ""],
  ["hello_c_cli.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["hello_c_cli.shared.fused-core", "passed", "", "b81c16e28c2d57c2", ""],
  ["hello_c_plain.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["hello_c_plain.fused-core", "passed", "", "b81c16e28c2d57c2", ""],
  ["hello_c_plain.shared.fused-core", "passed", "", "b81c16e28c2d57c2", ""],
  ["args_env.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["args_env.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["args_env.fused-core", "passed", "", "dadf82320bce7736", ""],
  ["args_env.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["args_env.shared.fused-core", "passed", "", "dadf82320bce7736", ""],
  ["stdin_echo.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["stdin_echo.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["stdin_echo.fused-core", "passed", "", "", ""],
  ["stdin_echo.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["stdin_echo.shared.fused-core", "passed", "", "", ""],
  ["exit_code.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["exit_code.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["exit_code.fused-core", "exit-nonzero", "", "f2de6e5abf005860", ""],
  ["exit_code.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["exit_code.shared.fused-core", "exit-nonzero", "", "f2de6e5abf005860", ""],
  ["big_output.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["big_output.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["big_output.fused-core", "passed", "", "ea704210df4b9482", ""],
  ["big_output.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["big_output.shared.fused-core", "passed", "", "ea704210df4b9482", ""],
  ["trap.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["trap.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["trap.fused-core", "trapped", "[Runtime][E2199] unreachable", "adcce66f5f8ce9f6", ""],
  ["trap.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["trap.shared.fused-core", "trapped", "[Runtime][E2199] unreachable", "adcce66f5f8ce9f6", ""],
  ["trap_oob.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["trap_oob.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["trap_oob.fused-core", "trapped", "[Runtime][E2199] out of bounds memory access", "3a627b85bbe8d7b4", ""],
  ["trap_oob.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["trap_oob.shared.fused-core", "trapped", "[Runtime][E2199] out of bounds memory access", "3a627b85bbe8d7b4", ""],
  [
    "compute_composed.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "compute_composed.0.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_composed.0.fused-core", "passed", "", "", "I32(42)"],
  [
    "compute_composed.0.shared.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_composed.0.shared.fused-core", "passed", "", "", "I32(42)"],
  [
    "compute_composed.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "compute_composed.1.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_composed.1.fused-core", "passed", "", "", "I32(7)"],
  [
    "compute_composed.1.shared.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_composed.1.shared.fused-core", "passed", "", "", "I32(7)"],
  [
    "compute_core_names.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_core_names.0.fused-core", "failed", "[Runtime][E07DA] Function not found", "", ""],
  ["compute_core_names.0.shared.fused-core", "failed", "[Runtime][E07DA] Function not found", "", ""],
  [
    "compute_core_names.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_core_names.1.fused-core", "failed", "[Runtime][E07DA] Function not found", "", ""],
  ["compute_core_names.1.shared.fused-core", "failed", "[Runtime][E07DA] Function not found", "", ""],
  [
    "compute_toplevel.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "compute_toplevel.0.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] direct-hosting core result arity does not match the lifted component function result count",
    "",
    "",
  ],
  ["compute_toplevel.0.fused-core", "passed", "", "", "I32(42)"],
  ["compute_toplevel.0.shared.fused-core", "passed", "", "", "I32(42)"],
  [
    "compute_toplevel.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_toplevel.1.fused-component", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["compute_toplevel.1.fused-core", "passed", "", "", "I32(7)"],
  ["compute_toplevel.1.shared.fused-core", "passed", "", "", "I32(7)"],
  [
    "strings_across.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "strings_across.0.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["strings_across.0.fused-core", "passed", "", "", "I32(24)"],
  [
    "strings_across.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "strings_across.1.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["strings_across.1.fused-core", "passed", "", "", "I32(1545627659)"],
  [
    "strings_across.2.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "strings_across.2.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["strings_across.2.fused-core", "passed", "", "", "I32(-196191330)"],
  [
    "lists_records_across.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "lists_records_across.0.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["lists_records_across.0.fused-core", "passed", "", "", "I32(3)"],
  [
    "lists_records_across.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "lists_records_across.1.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["lists_records_across.1.fused-core", "passed", "", "", "I32(798)"],
  [
    "lists_records_across.2.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "lists_records_across.2.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["lists_records_across.2.fused-core", "passed", "", "", "I32(-36)"],
  [
    "lists_records_across.3.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "lists_records_across.3.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["lists_records_across.3.fused-core", "passed", "", "", "I32(17)"],
  [
    "lists_records_across.4.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "lists_records_across.4.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["lists_records_across.4.fused-core", "passed", "", "", "I32(-984601704)"],
  [
    "command_composed.original",
    "unsupported-form",
    "[ComponentRuntime][E5DC2] wasi:cli/run export references an out-of-bounds component instance index",
    "",
    "",
  ],
  ["command_composed.fused-component", "unsupported-form", "[Runtime][E2199] call stack exhausted", "", ""],
  ["command_composed.fused-core", "failed", "[Runtime][E07DA] Function not found", "", ""],
  [
    "string_result_export.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "string_result_export.0.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["string_result_export.0.fused-core", "passed", "", "", "I32(15)"],
  ["string_result_export.0.shared.fused-core", "passed", "", "", "I32(15)"],
  [
    "string_result_export.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "string_result_export.1.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["string_result_export.1.fused-core", "passed", "", "", "I32(16)"],
  ["string_result_export.1.shared.fused-core", "passed", "", "", "I32(16)"],
  [
    "trap_across.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "trap_across.0.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["trap_across.0.fused-core", "passed", "", "", "I32(42)"],
  [
    "trap_across.0.shared.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["trap_across.0.shared.fused-core", "passed", "", "", "I32(42)"],
  [
    "trap_across.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "trap_across.1.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["trap_across.1.fused-core", "trapped", "[Runtime][E2199] integer divide by zero", "", ""],
  [
    "trap_across.1.shared.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["trap_across.1.shared.fused-core", "trapped", "[Runtime][E2199] integer divide by zero", "", ""],
  [
    "resources_across.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["resources_across.0.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  ["resources_across.0.shared.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  [
    "resources_across.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["resources_across.1.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  ["resources_across.1.shared.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  [
    "resources_across.2.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["resources_across.2.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  ["resources_across.2.shared.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  [
    "resources_across.3.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["resources_across.3.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  ["resources_across.3.shared.fused-core", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  [
    "strings_utf16_across.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "strings_utf16_across.0.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["strings_utf16_across.0.fused-core", "passed", "", "", "I32(0)"],
  [
    "strings_utf16_across.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "strings_utf16_across.1.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["strings_utf16_across.1.fused-core", "passed", "", "", "I32(-2128831035)"],
  [
    "strings_utf16_across.2.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  [
    "strings_utf16_across.2.fused-component",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["strings_utf16_across.2.fused-core", "trapped", "[Runtime][E2199] unreachable", "", ""],
  [
    "command_composed_c.original",
    "unsupported-form",
    "[ComponentRuntime][E5DC2] wasi:cli/run export references an out-of-bounds component instance index",
    "",
    "",
  ],
  ["command_composed_c.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["command_composed_c.fused-core", "failed", "[Memory][E0FA0] out of bounds memory access", "", ""],
  ["edge.no-module", "failed", "[Resource][E2261] Failed to read module metadata", "", ""],
  ["edge.missing-file", "failed", "[Resource][E2261] Failed to read module metadata", "", ""],
  ["edge.not-wasm", "failed", "[Parse][E03F2] Invalid WebAssembly binary format", "", ""],
  [
    "edge.fuel-10",
    "trapped",
    "[Runtime][E2199] fuel exhausted: execution exceeded the configured instruction budget",
    "",
    "",
  ],
  ["edge.core-with-component-flag", "passed", "", "b81c16e28c2d57c2", ""],
  ["edge.core-without-wasi", "passed", "", "b81c16e28c2d57c2", ""],
  ["edge.help", "failed", "", "", ""],
  ["edge.version", "failed", "", "", ""],
  ["compute_core_names.0.fused-core.mapped", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  ["compute_core_names.1.fused-core.mapped", "passed", "", "", "I32(7)"],
  ["compute_core_names.0.shared.fused-core.mapped", "failed", "[Runtime][E03EE] Unknown WASI function", "", ""],
  ["compute_core_names.1.shared.fused-core.mapped", "passed", "", "", "I32(7)"],
  [
    "hello_rust.original",
    "unsupported-form",
    "[Runtime][E1771] function invoked with wrong number of arguments: the argument count must match the function's declared parameter count (missing parameters are not zero-filled)",
    "",
    "",
  ],
  ["hello_rust.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["hello_rust.fused-core", "passed", "", "00fc35935b1a4238", ""],
  ["hello_rust.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["hello_rust.shared.fused-core", "passed", "", "00fc35935b1a4238", ""],
  [
    "rust_args_env_stdin.original",
    "unsupported-form",
    "[Runtime][E1771] function invoked with wrong number of arguments: the argument count must match the function's declared parameter count (missing parameters are not zero-filled)",
    "",
    "",
  ],
  ["rust_args_env_stdin.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["rust_args_env_stdin.fused-core", "passed", "", "c084937f4d1af572", ""],
  ["rust_args_env_stdin.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["rust_args_env_stdin.shared.fused-core", "passed", "", "c084937f4d1af572", ""],
  [
    "rust_args_env_stdin_plain.original",
    "unsupported-form",
    "[Runtime][E1771] function invoked with wrong number of arguments: the argument count must match the function's declared parameter count (missing parameters are not zero-filled)",
    "",
    "",
  ],
  ["rust_args_env_stdin_plain.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  [
    "rust_args_env_stdin_plain.fused-core",
    "failed",
    "[Runtime][E1B58] get-arguments requires cabi_realloc - allocation not performed",
    "",
    "",
  ],
  ["rust_args_env_stdin_plain.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  [
    "rust_args_env_stdin_plain.shared.fused-core",
    "failed",
    "[Runtime][E1B58] get-arguments requires cabi_realloc - allocation not performed",
    "",
    "",
  ],
  ["hello_cpp_cli.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["hello_cpp_cli.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["hello_cpp_cli.fused-core", "passed", "", "b1433f6fde930136", ""],
  ["hello_cpp_cli.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["hello_cpp_cli.shared.fused-core", "passed", "", "b1433f6fde930136", ""],
  ["cpp_iostream.original", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["cpp_iostream.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["cpp_iostream.fused-core", "passed", "", "1ae9fe33a6b1fa85", ""],
  ["cpp_iostream.shared.fused-component", "unsupported-form", "[Runtime][E0BBB] Export not found", "", ""],
  ["cpp_iostream.shared.fused-core", "passed", "", "1ae9fe33a6b1fa85", ""],
  [
    "compute_direct.0.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_direct.0.fused-component", "passed", "", "", "7"],
  ["compute_direct.0.fused-core", "passed", "", "", "I32(42)"],
  ["compute_direct.0.shared.fused-component", "passed", "", "", "7"],
  ["compute_direct.0.shared.fused-core", "passed", "", "", "I32(42)"],
  [
    "compute_direct.1.original",
    "unsupported-form",
    "[Runtime][E03ED] No _start export found - command components must export _start",
    "",
    "",
  ],
  ["compute_direct.1.fused-component", "unsupported-form", "[Runtime][E07DA] Function not found in exports", "", ""],
  ["compute_direct.1.fused-core", "passed", "", "", "I32(7)"],
  [
    "compute_direct.1.shared.fused-component",
    "unsupported-form",
    "[Runtime][E07DA] Function not found in exports",
    "",
    "",
  ],
  ["compute_direct.1.shared.fused-core", "passed", "", "", "I32(7)"],
];

describe("kilnd 0.4.4 transcripts, as recorded", () => {
  test("every recorded case is in the table, and every row is a recorded case", () => {
    const index = JSON.parse(readFileSync(join(TRANSCRIPTS, "index.json"), "utf8")) as { case: string }[];
    expect(EXPECTED.map((r) => r[0]).sort()).toEqual(index.map((c) => c.case).sort());
  });

  test.each(EXPECTED)("%s → %s %s", (name, verdict, signature, guestSha, values) => {
    const c = classifyKiln(recorded(name));
    expect(c.verdict).toBe(verdict as never);
    expect(c.signature ? formatSignature(c.signature) : "").toBe(signature);
    expect(sha16(c.stdout)).toBe(guestSha);
    expect(c.values ? c.values.map((v) => `${v.type}(${v.text})`).join(" ") : (c.results ?? []).join(" ")).toBe(values);
  });

  test("the table agrees with the recorder's own account (README: verdict line, guest result)", () => {
    const readme = readFileSync(join(ROOT, "fixtures", "kilnd-0.4.4", "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| ([a-z0-9_.-]+) \| `kilnd[^|]*` \| (\d+) \| ([^|]+) \| ([^|]*) \|$/gm)];
    expect(rows.length).toBeGreaterThan(130);
    for (const [, name, , line, result] of rows) {
      const [, verdict, signature, , values] = EXPECTED.find((r) => r[0] === name)!;
      const said = line!.trim();
      if (said === "✓ Execution completed successfully") expect(verdict).toBe("passed");
      else if (said === "(no verdict line)") expect(verdict).toBe("exit-nonzero");
      else expect(signature).toBe(said);
      expect(values).toBe(result!.trim());
    }
  });

  test("the guest's stdout is exact: big_output's 1,049,600 bytes hash as the manifest says", () => {
    const c = classifyKiln(recorded("big_output.fused-core"));
    expect(Buffer.byteLength(c.stdout)).toBe(1049600);
    expect(createHash("sha256").update(c.stdout).digest("hex")).toBe(
      "ea704210df4b9482e103e5185c8cba099572dbd300213b532c59bb0db7bcc66b",
    );
    expect(c.kiln?.wasiCalls).toBe(2030);
    expect(c.kiln?.fuel).toBe(89736441);
    expect(c.kiln?.peakMemoryBytes).toBeGreaterThan(0);
  });

  test("[WASI-TRACE] lines are counted, and kept out of the guest's output and out of the signature", () => {
    const t = parseKilnTranscript(recorded("hello_c_cli.fused-core").stdout, recorded("hello_c_cli.fused-core").stderr);
    expect(t.facts.wasiCalls).toBe(7);
    expect(t.stderr).not.toContain("WASI-TRACE");
    expect(t.guest).toBe("Hello wasm component world from C!\n");
    expect(t.completion).toEqual({ fn: "_start", values: [] });
  });

  test("a refused component is unsupported-form, with kiln's signature; kilnd's [ERROR] lines are kept", () => {
    const c = classifyKiln(recorded("hello_c_cli.fused-component"));
    expect([c.verdict, c.signature?.code]).toEqual(["unsupported-form", "E0BBB"]);
    expect(c.kiln?.errors.join("\n")).toContain("kiln runs core modules");
  });

  test("a fused component kilnd does run answers --invoke with its result alone on a line, untyped", () => {
    const c = classifyKiln(recorded("compute_direct.0.fused-component"));
    expect([c.verdict, c.results, c.values, c.stdout]).toEqual(["passed", ["7"], undefined, ""]);
  });

  test("a guest's non-zero exit has no verdict line: exit-nonzero, its code unknown", () => {
    const c = classifyKiln(recorded("exit_code.fused-core"));
    expect([c.verdict, c.guestExit, c.stdout]).toEqual(["exit-nonzero", null, "exit_code: exiting with status 3\n"]);
    expect(c.errorLine).toContain("exit status is lost");
  });

  test("ls_s_1_ kilnd's exit status is recorded but not trusted: its transcript decides", () => {
    expect(classifyKiln(recorded("hello_c_cli.fused-component", 0)).verdict).toBe("unsupported-form");
    expect(classifyKiln(recorded("trap.fused-core", 0)).verdict).toBe("trapped");
    expect(classifyKiln(recorded("hello_c_cli.fused-core", 1)).verdict).toBe("passed");
    expect(classifyKiln(recorded("edge.not-wasm", 0)).signature?.code).toBe("E03F2");
  });

  test("a guest's last line without a newline stays without one (kilnd's blank line is not the guest's)", () => {
    // Derived from a real transcript: the guest's final newline removed, nothing else changed.
    const real = recorded("hello_c_cli.fused-core");
    const c = classifyKiln({ ...real, stdout: real.stdout.replace("from C!\n\n✓ Function", "from C!\n✓ Function") });
    expect([c.verdict, c.stdout]).toEqual(["passed", "Hello wasm component world from C!"]);
  });

  test("kilnd's own log line glued to an unterminated guest line is split off", () => {
    // Derived from a real transcript: guest text placed before kilnd's [ERROR] line, with no newline.
    const real = recorded("compute_core_names.0.fused-core");
    const c = classifyKiln({
      ...real,
      stdout: real.stdout.replace("[ERROR] No entry point", "partial[ERROR] No entry point"),
    });
    expect(c.stdout).toBe("partial");
  });

  test("a flood past the capture still finds kilnd's verdict in the kept tail; a panic is a crash", () => {
    const real = recorded("hello_c_cli.fused-core");
    const cut = real.stdout.indexOf("Hello");
    const c = classifyKiln({
      ...real,
      stdout: real.stdout.slice(0, cut) + "x".repeat(100),
      stdoutTruncated: true,
      stdoutTail: real.stdout.slice(cut + 10),
    });
    expect(c.verdict).toBe("passed");
    expect(
      classifyKiln(proc({ code: 101, stderr: "thread 'main' panicked at src/main.rs:1:1:\nboom\n" })).verdict,
    ).toBe("crashed");
  });
});

describe("signatures and typed values (pure)", () => {
  test("parses [Category][Ecode] message and the optional ASIL bracket", () => {
    expect(parseSignature("✗ Execution failed: [Runtime][E0BBB] Export not found")).toEqual({
      category: "Runtime",
      code: "E0BBB",
      message: "Export not found",
    });
    // ASIL builds add a third bracket (kiln's error formatting); no recorded 0.4.4 build has it.
    expect(parseSignature("[Runtime][E0BBB][ASIL-C] Export not found")).toEqual({
      category: "Runtime",
      code: "E0BBB",
      asil: "ASIL-C",
      message: "Export not found",
    });
    expect(
      parseSignature(
        "[ComponentRuntime][E5DC2] wasi:cli/run export references an out-of-bounds component instance index",
      )?.code,
    ).toBe("E5DC2");
    expect(parseSignature("no signature here")).toBeUndefined();
  });

  test("I32(42) meets 42; an unsigned result meets kilnd's I32 of the same bits; floats by value", () => {
    expect(resultMatches("42", "42", { type: "I32", text: "42" })).toBe(true);
    expect(resultMatches("4098775966", "-196191330", { type: "I32", text: "-196191330" })).toBe(true);
    expect(resultMatches("-36", "-36", { type: "I32", text: "-36" })).toBe(true);
    expect(resultMatches("2349787916", "-2128831035", { type: "I32", text: "-2128831035" })).toBe(false);
    expect(resultMatches("18446744073709551615", "-1", { type: "I64", text: "-1" })).toBe(true);
    expect(resultMatches("4294967295", "-1", { type: "I64", text: "-1" })).toBe(false);
    expect(resultMatches("-4294967338", "-42", { type: "I32", text: "-42" })).toBe(false);
    expect(resultMatches("1.5", "1.50", { type: "F64", text: "1.50" })).toBe(true);
    expect(resultMatches("42", "43", undefined)).toBe(false);
  });

  test("jco: a RuntimeError is the guest's trap; silent non-zero is the guest's exit; else the engine failed", () => {
    expect(
      classifyJco(
        proc({ code: 1, stderr: "RuntimeError: wasm trap: wasm `unreachable` instruction executed\n    at main" }),
      ).verdict,
    ).toBe("trapped");
    expect(classifyJco(proc({ code: 1, stderr: "" })).verdict).toBe("exit-nonzero");
    const f = classifyJco(
      proc({
        code: 1,
        stderr:
          "Error: Unable to transpile command for execution\n  [cause]: ComponentError: bad\n  Caused by:\n      lowered result types do not match\n",
      }),
    );
    expect(f.verdict).toBe("failed");
    expect(f.errorLine).toContain("lowered result types do not match");
  });
});
