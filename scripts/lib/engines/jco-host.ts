#!/usr/bin/env bun
/**
 * jco-host — runs a jco-transpiled component under Bun, the way `jco run` does for a wasi:cli command
 * (argv[0] is the component's name, the guest's exit status comes back as ours) or calling one export
 * and printing each result on its own line as kilnd --invoke does (scalars bare, other values as JSON).
 * lib/engines/jco-cache.ts transpiles each component once per content hash, so a run costs no transpile; this
 * host imports nothing heavier than lib/core/errors.ts, as Bun starts it for every jco run.
 * Called by: lib/engines/run.ts (engine jco), lib/engines/jco-cache.ts (--exports). Not meant for people.
 * Usage: bun scripts/lib/engines/jco-host.ts <transpiled.js> --run NAME [ARG]...
 *        bun scripts/lib/engines/jco-host.ts <transpiled.js> --invoke EXPORT [json-args]   (wave.ts jsArgsJson)
 *        bun scripts/lib/engines/jco-host.ts <transpiled.js> --exports     (the exported functions, as JSON)
 * Exit: 0 ran/called/listed; 1 the guest trapped, threw or exited non-zero; 2 no such export or not a command.
 */
import { EXIT } from "../core/errors.ts";

/** A WIT name from jco's JavaScript one: jco lower-camel-cases WIT's kebab names (`shout-len` →
 * `shoutLen`), so the reverse gives the WIT name back (a WIT word in capitals, `get-URL`, would not). */
export function kebab(js: string): string {
  return js.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/**
 * The functions a transpiled component exports, by the names a person passes to --invoke: a top-level
 * function as `compute`, an interface's as `seam:fixtures/runner@0.1.0#compute`. jco exports an
 * interface under its full name and a short alias (`runner`), one object: the full name is kept. jco's
 * own helpers (`_util`) start with `_`, which no WIT name can.
 */
export function exportedFunctions(mod: Record<string, unknown>): string[] {
  const names: string[] = [];
  const interfaces = new Map<object, string>();
  for (const [key, value] of Object.entries(mod)) {
    if (key.startsWith("_") || key === "default") continue;
    if (typeof value === "function") names.push(kebab(key));
    else if (value && typeof value === "object") {
      const had = interfaces.get(value);
      if (had === undefined || (!had.includes(":") && key.includes(":"))) interfaces.set(value, key);
    }
  }
  for (const [ns, key] of interfaces) {
    for (const [fn, f] of Object.entries(ns)) if (typeof f === "function") names.push(`${key}#${kebab(fn)}`);
  }
  return names.sort();
}

/** Resolves `compute`, `run#compute` or `test:demo/run@0.1.0#compute` on the transpiled module. */
export function findExport(mod: Record<string, unknown>, name: string): ((...a: unknown[]) => unknown) | undefined {
  const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const [iface, fn] = name.includes("#") ? (name.split("#") as [string, string]) : [undefined, name];
  if (iface === undefined) {
    const f = mod[camel(fn)] ?? mod[fn];
    return typeof f === "function" ? (f as (...a: unknown[]) => unknown) : undefined;
  }
  const short = iface.replace(/@.*$/, "");
  for (const key of [iface, short, camel(short.split("/").pop() ?? short)]) {
    const ns = mod[key] as Record<string, unknown> | undefined;
    const f = ns?.[camel(fn)] ?? ns?.[fn];
    if (typeof f === "function") return f as (...a: unknown[]) => unknown;
  }
  return undefined;
}

/** One result value as a line: numbers and booleans bare (like kilnd), everything else as JSON. */
export function formatResult(v: unknown): string[] {
  if (v === undefined) return [];
  if (typeof v === "bigint") return [v.toString()];
  if (typeof v === "number" || typeof v === "boolean") return [String(v)];
  return [JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))];
}

/** The call's arguments as lib/engines/wave.ts sends them: JSON, a bigint (s64, u64) as {"$bigint": "…"}. */
export function decodeArgs(json: string): unknown[] {
  return JSON.parse(json, (_k, x: unknown) =>
    x && typeof x === "object" && "$bigint" in x ? BigInt((x as { $bigint: string }).$bigint) : x,
  ) as unknown[];
}

async function main(argv: string[]): Promise<number> {
  const [jsPath, mode, name, ...rest] = argv;
  if (jsPath && mode === "--exports") {
    process.stdout.write(JSON.stringify(exportedFunctions((await import(jsPath)) as Record<string, unknown>)) + "\n");
    return EXIT.ok;
  }
  if (!jsPath || (mode !== "--run" && mode !== "--invoke") || !name) {
    process.stderr.write(
      "usage: jco-host.ts <transpiled.js> --run NAME [ARG]... | --invoke EXPORT [json-args] | --exports\n",
    );
    return EXIT.usage;
  }
  if (mode === "--run") {
    // What the guest sees as its argv, as `jco run` sets it: the component's name, then the arguments.
    process.argv.splice(1, process.argv.length - 1, name, ...rest);
  }
  const mod = (await import(jsPath)) as Record<string, unknown>;
  if (mode === "--run") {
    const run = (mod.run as { run?: () => unknown } | undefined)?.run;
    if (typeof run !== "function") {
      process.stderr.write("Not a valid command component to execute.\n");
      return EXIT.usage;
    }
    await run();
    await new Promise((r) => setTimeout(r)); // let the shim's stdout writes drain
    return EXIT.ok;
  }
  const fn = findExport(mod, name);
  if (!fn) {
    process.stderr.write(
      `export not found: ${name} (exported functions: ${exportedFunctions(mod).join(", ") || "none"})\n`,
    );
    return EXIT.usage;
  }
  const result = await fn(...(rest[0] ? decodeArgs(rest[0]) : []));
  for (const line of formatResult(result)) process.stdout.write(line + "\n");
  return EXIT.ok;
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = EXIT.fail;
  }
}
