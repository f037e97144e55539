/**
 * run-records — literal engine runs for tests: a `RunRecord` with every field filled in (a jco run that
 * passed with empty stdout), the fields a test cares about given as overrides; stdout's size and sha256
 * follow the stdout given unless set. And the message of a usage error (exit 2) a call throws.
 * A finished process as lib/core/proc.ts returns it, literal or as kilnd 0.4.4 was recorded, and the
 * expectation an ad hoc run records from reference runs.
 * Used by the tests of lib/fixtures/judge.ts, lib/engines/classify.ts, lib/adhoc*.ts, save-fixture, fuse and run-kiln.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AdhocSpec } from "../lib/tierc/adhoc/inputs.ts";
import { expectationFromRuns } from "../lib/tierc/adhoc/record.ts";
import { SeamError } from "../lib/core/errors.ts";
import { sha256 } from "../lib/core/fsx.ts";
import type { ProcResult } from "../lib/core/proc.ts";
import { SCHEMAS, type RunRecord } from "../lib/engines/records.ts";
import { TRANSCRIPTS } from "./fake-kilnd.ts";

export function runRecord(over: Partial<RunRecord>): RunRecord {
  const stdout = over.stdout ?? "";
  return {
    schema: SCHEMAS.run,
    engine: "jco",
    engineVersion: "1.35.0",
    enginePath: "/x/jco",
    wasm: "x.wasm",
    form: "component",
    command: "jco run x.wasm",
    verdict: "passed",
    exitCode: 0,
    signal: null,
    stdout,
    stdoutBytes: Buffer.byteLength(stdout),
    stdoutSha256: sha256(stdout),
    stdoutTruncated: false,
    stderr: "",
    ms: 1,
    ...over,
  };
}

/** A wasmtime 49.0.3 run, as the ad hoc reference records it. */
export function wasmtimeRun(over: Partial<RunRecord>): RunRecord {
  return runRecord({
    engine: "wasmtime",
    engineVersion: "49.0.3",
    enginePath: "/x/wasmtime",
    command: "wasmtime run x.wasm",
    ...over,
  });
}

/** The message of the usage error (exit 2) `fn` throws; anything else fails the test. */
export function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeamError && e.exitCode === 2) return e.message;
    throw e;
  }
  throw new Error("no usage error");
}

/** A finished process: exit 0, nothing printed, the fields a test cares about given as overrides. */
export function procResult(over: Partial<ProcResult>): ProcResult {
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

/** A recorded kilnd 0.4.4 case as the process result it was, optionally with its exit status changed. */
export function recordedProc(name: string, code?: number): ProcResult {
  const meta = JSON.parse(readFileSync(join(TRANSCRIPTS, `${name}.json`), "utf8")) as { exit: number };
  return procResult({
    code: code ?? meta.exit,
    stdout: readFileSync(join(TRANSCRIPTS, `${name}.stdout`), "utf8"),
    stderr: readFileSync(join(TRANSCRIPTS, `${name}.stderr`), "utf8"),
  });
}

/** A command run ad hoc with no arguments, environment, stdin or invokes. */
export const ADHOC_COMMAND: AdhocSpec = { args: [], env: {}, invokes: [] };

/** The expectation an ad hoc run of /in/app.wasm records from these reference runs. */
export function adhocExpectation(
  records: RunRecord[],
  spec: AdhocSpec = ADHOC_COMMAND,
  engine: "jco" | "wasmtime" = "wasmtime",
) {
  const version = engine === "jco" ? "1.35.0" : "49.0.3";
  return expectationFromRuns({ name: "app", file: "/in/app.wasm" }, spec, records, engine, version, "ab".repeat(32));
}
