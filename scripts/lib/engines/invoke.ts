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
  const jco = lookupTool("jco", { env }).found;
  const functions = jco && (await componentFunctions(jco.path, wasm, timeoutMs));
  if (!functions) return { name: invoke };
  const name = matchExport(functions, invoke);
  if (name) return { name };
  const fn = invoke.slice(invoke.lastIndexOf("#") + 1);
  const several = functions.filter((f) => f.slice(f.lastIndexOf("#") + 1) === fn);
  return {
    error: `${several.length > 1 ? `${invoke} names several exports` : `no exported function ${invoke}`} (exported functions: ${(several.length > 1 ? several : functions).join(", ") || "none"})`,
  };
}

/** What the engine is told to call. `invoke`: the name it gets (a component's full name for a short one);
 * `fn`: set when that is not the name as given, or is a core module's core export (kilnd's --function). */
export interface InvokeTarget {
  invoke?: string;
  fn?: string;
}

/** `invoke` resolved for this file and engine (jco calls a core module's exports by no name of seam's). */
export async function resolveInvoke(
  bytes: Uint8Array,
  call: { wasm: string; form: Form; engine: Engine; invoke?: string; timeoutMs: number },
  env?: Env,
): Promise<InvokeTarget | { error: string }> {
  const { invoke } = call;
  if (!invoke) return {};
  if (call.form === "core") {
    if (call.engine === "jco") return { invoke };
    const m = coreFunction(bytes, invoke);
    return "error" in m ? m : { invoke, fn: m.fn };
  }
  const m = await componentInvoke(bytes, call.wasm, invoke, call.timeoutMs, env);
  if ("error" in m) return m;
  return m.name === invoke ? { invoke } : { invoke: m.name, fn: m.name };
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
