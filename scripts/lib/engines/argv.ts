/**
 * argv — the command line each engine gets for one run: kilnd's (`--component --wasi` for a
 * component, `--wasi` with `--function` for a core module), wasmtime's (an export as a wave call), and the
 * jco host's (a transpiled component under Bun). Pure: run-kiln runs them, tests read them.
 */
import { basename, join } from "node:path";
import type { Form } from "./records.ts";

/** What an engine's command line is made of: the file, the export to call, the guest's args, env and fuel. */
export interface EngineCall {
  wasm: string;
  invoke?: string;
  /** The call's arguments, checked against the export's signature (lib/engines/wave.ts): wasmtime gets
   * `wave`, jco's host `json`; kilnd cannot take them. */
  callArgs?: { wave: string[]; json: string };
  args?: string[];
  env?: Record<string, string>;
  fuel?: number;
}

/** The jco host (scripts/lib/engines/jco-host.ts): runs or calls a jco-transpiled component under Bun. */
export const JCO_HOST = join(import.meta.dir, "jco-host.ts");

/**
 * kilnd's argv. A component: `--component --wasi`, an export by `--invoke`. A core module: `--wasi`, an
 * export by `--function` with its core name (`fn`). Fixture env is exposed by name (`--wasi-env NAME`
 * passes a host variable, so the values go in kilnd's own environment).
 */
export function kilnArgv(kilnd: string, o: EngineCall, form: Form, fn?: string): string[] {
  const argv = [kilnd, o.wasm, ...(form === "component" ? ["--component"] : []), "--wasi"];
  for (const a of o.args ?? []) argv.push("--wasi-arg", a);
  for (const k of Object.keys(o.env ?? {})) argv.push("--wasi-env", k);
  if (o.fuel !== undefined) argv.push("--fuel", String(o.fuel));
  if (o.invoke) argv.push(...(form === "component" ? ["--invoke", o.invoke] : ["--function", fn ?? o.invoke]));
  return argv;
}

/** An export name as wasmtime's wave call: `ns:pkg/iface@1.0#fn` → `ns:pkg/iface.fn@1.0()`, `fn` → `fn()`,
 * with the arguments (WAVE text) inside the parentheses. */
export function waveCall(invoke: string, args: string[] = []): string {
  if (invoke.includes("(")) return invoke;
  const m = /^(.+?)(@[^#]+)?#(.+)$/.exec(invoke);
  return m ? `${m[1]}.${m[3]}${m[2] ?? ""}(${args.join(", ")})` : `${invoke}(${args.join(", ")})`;
}

/** wasmtime's argv: a component export as a wave call, a core module's export by its core name. */
export function wasmtimeArgv(wasmtime: string, o: EngineCall, form: Form = "component", fn?: string): string[] {
  const argv = [wasmtime, "run"];
  for (const [k, v] of Object.entries(o.env ?? {})) argv.push("--env", `${k}=${v}`);
  if (o.fuel !== undefined) argv.push("-W", `fuel=${o.fuel}`);
  if (o.invoke) argv.push("--invoke", form === "component" ? waveCall(o.invoke, o.callArgs?.wave) : (fn ?? o.invoke));
  // A core function's arguments follow the file, as wasmtime reads them for a core --invoke.
  argv.push(o.wasm, ...(o.invoke && form === "core" ? (o.callArgs?.wave ?? []) : (o.args ?? [])));
  return argv;
}

/** The jco host's argv for the transpiled module `js`: a command as `jco run` runs it (argv[0] is the
 * component's name), or one export called (--invoke). */
export function jcoHostArgv(js: string, o: EngineCall): string[] {
  const host = [process.execPath, JCO_HOST, js];
  return o.invoke
    ? [...host, "--invoke", o.invoke, ...(o.callArgs ? [o.callArgs.json] : [])]
    : [...host, "--run", basename(o.wasm).replace(/\.wasm$/, ""), ...(o.args ?? [])];
}
