/**
 * invoke — which export an engine is to call for `--invoke NAME`: on a core module the one core function
 * export that matches, on a component the full name a short one stands for (`compute` →
 * `seam:fixtures/runner@0.1.0#compute`), on every engine. None or several is an error listing the names
 * that work.
 */
import { componentFunctions } from "./jco-cache.ts";
import type { Engine, Form } from "./records.ts";
import { lookupTool } from "../tools/lookup.ts";
import { componentExports, coreExports, hasEntryPoint, matchExport } from "../core/wasm.ts";
import { exportedFunctions } from "../core/wit-types.ts";
import { checkCall, jsArgsJson, parseCall, type Call } from "./wave.ts";
import type { Env } from "../core/proc.ts";

/**
 * The core export to call for `invoke` in a core module, or an error naming the function exports there
 * are: `compute` finds `seam:fixtures/runner@0.1.0#compute` and the reverse, when exactly one matches.
 */
export function coreFunction(bytes: Uint8Array, invoke: string): { fn: string } | { error: string } {
  const functions = coreExports(bytes)
    .filter((e) => e.kind === "func")
    .map((e) => e.name);
  const fn = matchExport(functions, invoke);
  return fn
    ? { fn }
    : { error: `no single core export matches ${invoke} (function exports: ${functions.join(", ") || "none"})` };
}

/**
 * The export name to give the engine for `invoke` on a component: a top-level function export as is,
 * else the one exported function whose name or part after `#` matches (`compute` →
 * `seam:fixtures/runner@0.1.0#compute`), on every engine. An error lists the names that work. Without jco
 * (or when it cannot read the component) the name goes to the engine as given.
 */
export async function componentInvoke(
  bytes: Uint8Array,
  wasm: string,
  invoke: string,
  timeoutMs: number,
  env?: Env,
): Promise<{ name: string } | { error: string }> {
  const top = componentExports(bytes);
  if (top.some((e) => e.kind === "func" && e.name === invoke)) return { name: invoke };
  // A full name whose interface the component exports goes as is: the engine names a missing function.
  const at = invoke.lastIndexOf("#");
  if (at > 0 && top.some((e) => e.kind === "instance" && e.name === invoke.slice(0, at))) return { name: invoke };
  const functions = readFunctions(bytes) ?? (await jcoFunctions(wasm, timeoutMs, env));
  if (!functions) return { name: invoke };
  const name = matchExport(functions, invoke);
  if (name) return { name };
  const fn = invoke.slice(invoke.lastIndexOf("#") + 1);
  const several = functions.filter((f) => f.slice(f.lastIndexOf("#") + 1) === fn);
  return {
    error: `${several.length > 1 ? `${invoke} names several exports` : `no exported function ${invoke}`} (exported functions: ${(several.length > 1 ? several : functions).join(", ") || "none"})`,
  };
}

/** The functions a component exports, read from its own types; undefined when the reader cannot. */
function readFunctions(bytes: Uint8Array): string[] | undefined {
  try {
    return exportedFunctions(bytes).map((f) => f.name);
  } catch {
    return undefined;
  }
}

async function jcoFunctions(wasm: string, timeoutMs: number, env?: Env): Promise<string[] | undefined> {
  const jco = lookupTool("jco", { env }).found;
  return (jco && (await componentFunctions(jco.path, wasm, timeoutMs))) || undefined;
}

/** What the engine is told to call. `invoke`: the name it gets (a component's full name for a short one);
 * `fn`: set when that is not the name as given, or is a core module's core export (kilnd's --function);
 * `callArgs`: the call's arguments, checked against the export's signature. */
export interface InvokeTarget {
  invoke?: string;
  fn?: string;
  callArgs?: { wave: string[]; json: string };
}

/** A call's arguments checked against the signature of `name` in the component `bytes`, or why not. */
export function componentCallArgs(
  bytes: Uint8Array,
  name: string,
  call: Call,
): { callArgs?: InvokeTarget["callArgs"] } | { error: string } {
  let f;
  try {
    f = exportedFunctions(bytes).find((e) => e.name === name)?.func;
  } catch (e) {
    return { error: `cannot read the signature of ${name}: ${(e as Error).message}` };
  }
  if (!f) return call.args ? { error: `cannot read the signature of ${name}` } : {};
  if (!call.args && !f.params.length) return {};
  try {
    const checked = checkCall(call, f);
    return { callArgs: { wave: checked.map((c) => c.wave), json: jsArgsJson(checked) } };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** `invoke` (a name, or a call `name(arg, …)`) resolved for this file and engine (jco calls a core
 * module's exports by no name of seam's). A core function takes numbers only, as written. */
export async function resolveInvoke(
  bytes: Uint8Array,
  call: { wasm: string; form: Form; engine: Engine; invoke?: string; timeoutMs: number },
  env?: Env,
): Promise<InvokeTarget | { error: string }> {
  if (!call.invoke) return {};
  let parsed: Call;
  try {
    parsed = parseCall(call.invoke);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const invoke = parsed.name;
  if (call.form === "core") {
    if (call.engine === "jco") return { invoke };
    const m = coreFunction(bytes, invoke);
    const wave = (parsed.args ?? []).map((a) => (a.k === "num" ? a.text : ""));
    const callArgs = parsed.args ? { callArgs: { wave, json: "[]" } } : {};
    return "error" in m ? m : { invoke, fn: m.fn, ...callArgs };
  }
  const m = await componentInvoke(bytes, call.wasm, invoke, call.timeoutMs, env);
  if ("error" in m) return m;
  const args = componentCallArgs(bytes, m.name, parsed);
  if ("error" in args) return args;
  return { ...(m.name === invoke ? { invoke } : { invoke: m.name, fn: m.name }), ...args };
}

/** Why a file cannot run without --invoke (no `_start`, no wasi:cli `run` export), naming the exports it
 * has; undefined when it has an entry point. */
export function nothingToRun(wasm: string, bytes: Uint8Array, form: Form): string | undefined {
  if (hasEntryPoint(bytes)) return undefined;
  const what =
    form === "core"
      ? coreExports(bytes)
          .filter((e) => e.kind === "func")
          .map((e) => e.name)
      : componentExports(bytes).map((e) => e.name);
  return `${wasm} has nothing to run: no ${form === "core" ? "_start" : "wasi:cli/run"} export, and no --invoke (exports: ${what.join(", ") || "none"})`;
}
