#!/usr/bin/env bun
/**
 * run-kiln — runs one component or core module on kilnd (or a reference engine: jco, wasmtime) and
 * classifies the outcome the way upstream judges it: by what kilnd prints, not by its exit status.
 * The core is lib/engines/run.ts (runComponent); this file is its command line.
 * Called by: CI steps, people writing a kiln bug report.
 * Usage: bun scripts/run-kiln.ts <file.wasm> [--engine kiln|jco|wasmtime] [--invoke EXPORT]
 *          [--arg A]... [--env K=V]... [--stdin FILE] [--fuel N] [--timeout SEC] [--kilnd PATH] [--json]
 * Exit: 0 passed; 1 failed, crashed or timed out; 2 usage error or bad input; 3 engine missing or not it;
 *       4 guest trapped; 5 guest exited non-zero; 6 the engine refuses this form
 */
import { readFileSync } from "node:fs";
import { byteSize, enumValue, keyValues, parseCli, positiveSeconds, runCli, positiveInt } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { requireFile } from "./lib/core/fsx.ts";
import { checkTool } from "./lib/tools/identity.ts";
import type { RunVerdict } from "./lib/engines/records.ts";
import { readWasm } from "./lib/core/wasm.ts";
import { componentInvoke, coreFunction, nothingToRun } from "./lib/engines/invoke.ts";
import {
  ENGINE_TOOL,
  ENGINES,
  RUN_TIMEOUT_MS,
  DEFAULT_MEMORY_LIMIT,
  OUTPUT_LIMIT,
  runComponent,
  summarize,
  type RunComponentOptions,
} from "./lib/engines/run.ts";
import { jsonText } from "./lib/core/render.ts";

const HELP = `run-kiln — run a component or core module on kilnd or a reference engine and classify the outcome

Usage: bun scripts/run-kiln.ts <file.wasm> [options]
  --engine kiln|jco|wasmtime   engine (default kiln); kilnd from --kilnd, $KILND, $MELD_KILND, .tools/, PATH, ../kiln/target
  --invoke EXPORT              call one export and print its result(s), one per line. A short name
                               (compute) finds the one export of that name, on a component on every
                               engine (seam:fixtures/runner@0.1.0#compute) and on a core module (kilnd
                               gets --function with the matching core export); none or several is exit 2
                               listing the full names
  --arg A                      guest argument (repeatable)
  --env K=V                    guest environment variable (repeatable)
  --stdin FILE                 feed FILE to the guest's stdin
  --fuel N                     fuel limit (kiln, wasmtime)
  --timeout SEC                kill the engine and its process tree after SEC seconds (default ${RUN_TIMEOUT_MS / 1000})
  --memory-limit SIZE          kill it when its resident memory passes SIZE (default ${DEFAULT_MEMORY_LIMIT / 2 ** 30}G)
  --kilnd PATH / --wasmtime PATH   explicit engine binary
  --json                       print the full record as JSON on stdout
The form is read from the file's bytes: a component runs as \`kilnd FILE --component --wasi\`, a core
module (meld's default output, kiln's RFC #46 path) as \`kilnd FILE --wasi\`. A file with nothing to run
(no _start or wasi:cli/run export) needs --invoke.
Prints the guest's own stdout (kilnd's banner, log lines, WASI traces and stats removed), then a
summary line on stderr.

Exit: 0 passed; 1 engine failed, crashed or timed out; 2 usage error or bad input;
      3 engine missing, or not the engine (KILND=/bin/true); 4 guest trapped; 5 guest exited non-zero;
      6 the engine refuses this form (kilnd runs core modules only: lower it with meld fuse);
      7 no verdict: the engine went over --memory-limit or the output cap (${OUTPUT_LIMIT / 2 ** 30} GiB), or was
        killed by a signal seam did not send (the line says which)`;

/** run-kiln's own exit codes beyond EXIT's: what the guest did, and a form the engine refuses. */
const RUN_EXIT = { trapped: 4, guestExit: 5, refusedForm: 6, fault: 7 } as const;

const EXIT_FOR: Record<RunVerdict, number> = {
  passed: EXIT.ok,
  failed: EXIT.fail,
  crashed: EXIT.fail,
  timeout: EXIT.fail,
  "missing-engine": EXIT.missingTool,
  trapped: RUN_EXIT.trapped,
  "exit-nonzero": RUN_EXIT.guestExit,
  "unsupported-form": RUN_EXIT.refusedForm,
  interrupted: RUN_EXIT.fault,
  "memory-limit": RUN_EXIT.fault,
  "output-limit": RUN_EXIT.fault,
  killed: RUN_EXIT.fault,
};

function parseRunFlags(argv: string[]) {
  return parseCli(argv, {
    engine: { type: "string", default: "kiln" },
    invoke: { type: "string" },
    arg: { type: "string", multiple: true, default: [] },
    env: { type: "string", multiple: true, default: [] },
    stdin: { type: "string" },
    fuel: { type: "string" },
    timeout: { type: "string" },
    "memory-limit": { type: "string" },
    kilnd: { type: "string" },
    wasmtime: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
}

/** The run the flags ask for, each flag checked (usage errors); the file itself is checked by checkRun. */
function runOptions({ values, positionals }: ReturnType<typeof parseRunFlags>): RunComponentOptions {
  if (positionals.length !== 1)
    throw usageError(
      positionals.length
        ? `expected one .wasm file, got ${positionals.length}: ${positionals.join(" ")}`
        : "expected one .wasm file",
      "bun scripts/run-kiln.ts app.wasm [--engine jco]",
    );
  const engine = enumValue("--engine", values.engine, ENGINES);
  if (values.invoke !== undefined && values.invoke.trim() === "")
    throw usageError("--invoke is empty", "name an export, e.g. --invoke compute");
  const env = keyValues("--env", values.env);
  const timeout = values.timeout === undefined ? undefined : positiveSeconds("--timeout", values.timeout);
  const fuel = values.fuel === undefined ? undefined : positiveInt("--fuel", values.fuel, "1000000");
  if (values.kilnd !== undefined && engine !== "kiln")
    throw usageError(`--kilnd applies to --engine kiln, not ${engine}`, "drop --kilnd, or use --engine kiln");
  if (values.wasmtime !== undefined && engine !== "wasmtime")
    throw usageError(
      `--wasmtime applies to --engine wasmtime, not ${engine}`,
      "drop --wasmtime, or use --engine wasmtime",
    );
  if (fuel !== undefined && engine === "jco")
    throw usageError("--fuel applies to kiln and wasmtime; jco has no fuel", "drop --fuel, or use --engine wasmtime");
  return {
    wasm: positionals[0]!,
    engine,
    invoke: values.invoke,
    args: values.arg,
    env,
    fuel,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    ...(values["memory-limit"] !== undefined
      ? { memoryLimitBytes: byteSize("--memory-limit", values["memory-limit"]) }
      : {}),
    enginePath: engine === "kiln" ? values.kilnd : engine === "wasmtime" ? values.wasmtime : undefined,
  };
}

/** Every input, then the engine: bad input is one line before anything runs. Returns the run with the
 * --stdin file read and the engine found and checked (once: runComponent takes it as is). */
async function checkRun(o: RunComponentOptions, stdinFile: string | undefined): Promise<RunComponentOptions> {
  const { bytes, shape } = readWasm(o.wasm, "input");
  if (shape.kind === "core" && o.engine === "jco")
    throw usageError(
      `${o.wasm} is a core module; jco runs components`,
      "use --engine wasmtime or kiln for a core module",
    );
  const idle = o.invoke ? undefined : nothingToRun(o.wasm, bytes, shape.kind);
  if (idle) throw usageError(idle, "pass --invoke EXPORT to call one export, or a command (a wasi:cli program)");
  if (shape.kind === "core" && o.invoke && o.engine !== "jco") {
    const m = coreFunction(bytes, o.invoke);
    if ("error" in m) throw usageError(m.error, "pass one of those names to --invoke");
  }
  if (stdinFile !== undefined) requireFile(stdinFile, "--stdin file");
  const stdin = stdinFile === undefined ? undefined : readFileSync(stdinFile);
  const tool = (await checkTool(ENGINE_TOOL[o.engine], { flag: o.enginePath, required: true })).found!;
  if (shape.kind === "component" && o.invoke) {
    const m = await componentInvoke(bytes, o.wasm, o.invoke, o.timeoutMs ?? RUN_TIMEOUT_MS);
    if ("error" in m)
      throw usageError(m.error, "pass one of those names to --invoke (a short name, when only one export has it)");
  }
  return { ...o, stdin, tool };
}

async function main(argv: string[]): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const rec = await runComponent(await checkRun(runOptions(flags), flags.values.stdin));
  if (rec.verdict === "missing-engine")
    throw new SeamError(rec.errorLine ?? `${rec.engine} is missing`, { exitCode: EXIT.missingTool });
  if (flags.values.json) process.stdout.write(jsonText(rec));
  else process.stdout.write(rec.invoke ? (rec.results ?? []).map((r) => r + "\n").join("") : rec.stdout);
  process.stderr.write(summarize(rec) + "\n");
  return EXIT_FOR[rec.verdict];
}

if (import.meta.main) process.exitCode = await runCli("run-kiln", main);
