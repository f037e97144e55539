#!/usr/bin/env bun
/**
 * invoke-host — the tiny program run-kiln starts to call one export of a jco-transpiled component under
 * Bun, printing each result on its own line as kilnd --invoke does (scalars bare, other values as JSON).
 * Called by: scripts/run-kiln.ts (engine jco, --invoke). Not meant for people.
 * Usage: bun scripts/lib/invoke-host.ts <transpiled.js> <export> [json-args]
 * Exit: 0 called, 1 the call trapped or threw, 2 the export does not exist.
 */

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

async function main(argv: string[]): Promise<number> {
  const [jsPath, name, argsJson] = argv;
  if (!jsPath || !name) {
    process.stderr.write("usage: invoke-host.ts <transpiled.js> <export> [json-args]\n");
    return 2;
  }
  const mod = (await import(jsPath)) as Record<string, unknown>;
  const fn = findExport(mod, name);
  if (!fn) {
    process.stderr.write(`export not found: ${name} (have: ${Object.keys(mod).join(", ")})\n`);
    return 2;
  }
  const args = argsJson ? (JSON.parse(argsJson) as unknown[]) : [];
  const result = await fn(...args);
  for (const line of formatResult(result)) process.stdout.write(line + "\n");
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
