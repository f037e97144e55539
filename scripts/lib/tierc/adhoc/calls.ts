/**
 * calls — which exports an ad hoc run calls on which component, checked before anything runs: each
 * component's callable exports with their WIT signatures (lib/core/wit-types.ts; `--list-exports`), each
 * `--invoke` given to the components that export it, `--calls FILE` (YAML: file → list of calls) for a
 * folder of mixed components, every call's arguments checked against the signature. A component with no
 * call runs as a command if it is one, else it is skipped with a line naming its exports. Any mistake is
 * one line, exit 2. Used by lib/tierc/plan.ts and scripts/tier-c.ts. Nothing here prints or exits.
 */
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { isMap, isScalar } from "yaml";
import type { AdhocInput } from "./inputs.ts";
import { usageError } from "../../core/errors.ts";
import { requireFile, shownPath } from "../../core/fsx.ts";
import { hasEntryPoint, matchExport } from "../../core/wasm.ts";
import { exportedFunctions, witSignature, type WitFunc } from "../../core/wit-types.ts";
import { checkCall, parseCall } from "../../engines/wave.ts";
import { items, parseYaml, scalar } from "../../core/yamlx.ts";

/** What one component offers: its callable exports (undefined when its types cannot be read), and whether
 * it is a wasi:cli command. */
export interface ComponentExports {
  input: AdhocInput;
  command: boolean;
  functions?: { name: string; signature: string; func: WitFunc }[];
  /** Why the functions are unknown. */
  unreadable?: string;
}

/** Each component's callable exports and whether it is a command. */
export function componentExportsOf(inputs: AdhocInput[]): ComponentExports[] {
  return inputs.map((input) => {
    const bytes = readFileSync(input.file);
    const command = hasEntryPoint(bytes);
    try {
      const functions = exportedFunctions(bytes)
        .filter((f) => !(command && /^wasi:cli\/run@/.test(f.name)))
        .map((f) => ({ name: f.name, signature: witSignature(f.func), func: f.func }));
      return { input, command, functions };
    } catch (e) {
      return { input, command, unreadable: (e as Error).message };
    }
  });
}

/** `--list-exports` as text: each component, whether it is a command, and each export with its signature. */
export function renderExports(list: ComponentExports[]): string {
  return list
    .map((c) => {
      const head = `${shownPath(c.input.file)}${c.command ? " (a wasi:cli command: runs without --invoke)" : ""}`;
      const body = c.functions
        ? c.functions.length
          ? c.functions.map((f) => `  ${f.name}: ${f.signature}`)
          : ["  (no callable exports)"]
        : [`  (its types cannot be read: ${c.unreadable})`];
      return [head, ...body].join("\n");
    })
    .join("\n\n")
    .concat("\n");
}

/** `--list-exports --json`: the same, as data. */
export function exportsJson(list: ComponentExports[]) {
  return list.map((c) => ({
    file: shownPath(c.input.file),
    command: c.command,
    ...(c.functions ? { exports: c.functions.map((f) => ({ name: f.name, signature: f.signature })) } : {}),
    ...(c.unreadable ? { unreadable: c.unreadable } : {}),
  }));
}

/** Reads `--calls FILE`: a mapping from a component (its file name, or its path) to a list of calls. */
export function loadCallsFile(path: string, inputs: AdhocInput[]): Map<string, string[]> {
  requireFile(path, "--calls file");
  const hint = "--calls FILE is YAML: each component's file name, then its calls, e.g. `leap.wasm: [is-leap(2024)]`";
  const y = parseYaml(readFileSync(path, "utf8"), path, hint);
  const out = new Map<string, string[]>();
  if (!isMap(y.root)) throw usageError(`${y.at(y.root)}: expected a mapping of file → list of calls`, hint);
  for (const pair of y.root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const input = inputs.find((i) => basename(i.file) === key || i.file === resolve(key) || i.name === key);
    if (!input)
      throw usageError(
        `${y.at(pair.key as never)}: ${key} is not one of this run's components (${inputs.map((i) => basename(i.file)).join(", ")})`,
        hint,
      );
    const list = items(pair.value as never)?.map((n) => scalar(n));
    if (!list || !list.length || list.some((c) => typeof c !== "string" || !c.trim()))
      throw usageError(`${y.at(pair.value as never)}: ${key}: expected a list of calls, e.g. [is-leap(2024)]`, hint);
    out.set(input.name, list as string[]);
  }
  return out;
}

const short = (name: string) => name.slice(name.lastIndexOf("#") + 1);

/** One call checked against one component: its export exists and its arguments fit, else one line. */
function checkOn(c: ComponentExports, text: string): void {
  const call = parseCall(text);
  if (!c.functions) return;
  const name = matchExport(
    c.functions.map((f) => f.name),
    call.name,
  );
  if (!name)
    throw usageError(
      `--invoke ${text}: ${shownPath(c.input.file)} exports no function ${call.name}`,
      `its exports: ${c.functions.map((f) => `${f.name}: ${f.signature}`).join("; ") || "none"}`,
    );
  checkCall(call, c.functions.find((f) => f.name === name)!.func);
}

/**
 * The calls each component gets: its `--calls` entry, else every `--invoke` whose name it exports. A name
 * no component exports is an error listing the names there are; a component left with no call runs as a
 * command, or (not a command) goes to `skipped` with a line naming its exports.
 */
export function assignCalls(
  list: ComponentExports[],
  invokes: string[],
  callsFile: Map<string, string[]> | undefined,
): { calls: Map<string, string[]>; skipped: string[] } {
  const parsed = invokes.map((text) => {
    try {
      return parseCall(text);
    } catch (e) {
      throw usageError((e as Error).message, "WAVE values: 2024, -1.5, true, 'c', \"text\", [1, 2], {x: 1}");
    }
  });
  const exports = (c: ComponentExports) => (c.functions ?? []).map((f) => f.name);
  const exporting = (c: ComponentExports, name: string) =>
    c.unreadable !== undefined || matchExport(exports(c), name) !== undefined;
  for (const p of parsed)
    if (!list.some((c) => !callsFile?.has(c.input.name) && exporting(c, p.name))) {
      const names = [...new Set(list.flatMap(exports))];
      throw usageError(
        `--invoke ${p.text}: no component here exports ${p.name} (exported functions: ${names.join(", ") || "none"})`,
        `short names work too: ${[...new Set(names.map(short))].join(", ") || "none"}; see them with --list-exports`,
      );
    }
  const calls = new Map<string, string[]>();
  const skipped: string[] = [];
  for (const c of list) {
    const mine = callsFile?.get(c.input.name) ?? parsed.filter((p) => exporting(c, p.name)).map((p) => p.text);
    for (const text of mine) wrapped(() => checkOn(c, text));
    if (mine.length || c.command || !invokes.length) calls.set(c.input.name, mine);
    else
      skipped.push(
        `${shownPath(c.input.file)}: exports none of ${parsed.map((p) => p.name).join(", ")} and is not a command, skipped (its exports: ${exports(c).join(", ") || "none"})`,
      );
  }
  return { calls, skipped };
}

function wrapped(check: () => void): void {
  try {
    check();
  } catch (e) {
    if ((e as { exitCode?: number }).exitCode !== undefined) throw e;
    throw usageError((e as Error).message, "see the export's signature with --list-exports");
  }
}
