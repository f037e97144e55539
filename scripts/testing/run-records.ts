/**
 * run-records — literal engine runs for tests: a `RunRecord` with every field filled in (a jco run that
 * passed with empty stdout), the fields a test cares about given as overrides; stdout's size and sha256
 * follow the stdout given unless set. And the message of a usage error (exit 2) a call throws.
 * Used by the tests of lib/judge.ts and lib/adhoc*.ts.
 */
import { SeamError } from "../lib/errors.ts";
import { sha256 } from "../lib/fsx.ts";
import type { RunRecord } from "../lib/records.ts";

export function runRecord(over: Partial<RunRecord>): RunRecord {
  const stdout = over.stdout ?? "";
  return {
    schema: "seam.run/1",
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
