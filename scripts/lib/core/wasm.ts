/**
 * wasm — a structural parse of a WebAssembly binary's outer layer: magic, version/layer, and every
 * section's id and size fitting the file exactly. Enough to say "this is a core module / a component
 * and it is not truncated"; full validation is a reference engine's job.
 */
import { readFileSync } from "node:fs";
import { requireFile } from "./fsx.ts";
import { usageError } from "./errors.ts";

export type WasmKind = "core" | "component";

export interface WasmShape {
  kind: WasmKind;
  sections: number;
}

/** One entry of a core module's export section. */
export interface CoreExport {
  name: string;
  kind: "func" | "table" | "memory" | "global" | "tag";
}

const EXPORT_KINDS = ["func", "table", "memory", "global", "tag"] as const;

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && i < at + 5; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new Error(`bad LEB128 at byte ${at}`);
}

/** Calls `visit(id, start, end)` for every section of the module or component whose sections run from
 * `from` to `to` (the whole file by default; a nested component's bytes otherwise); throws on a structure
 * that does not fit. */
export function eachSection(
  bytes: Uint8Array,
  visit: (id: number, start: number, end: number) => void,
  from = 8,
  to = bytes.length,
): void {
  let at = from;
  let n = 0;
  while (at < to) {
    const id = bytes[at]!;
    const [size, next] = readLeb(bytes, at + 1);
    if (next + size > to) throw new Error(`section ${n} (id ${id}) at byte ${at} runs past the end of the file`);
    visit(id, next, next + size);
    at = next + size;
    n++;
  }
}

/** Parses the outer structure or throws an Error saying what is wrong and where. */
export function parseWasmShape(bytes: Uint8Array): WasmShape {
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error("not a WebAssembly binary (no \\0asm magic)");
  }
  const version = bytes[4]! | (bytes[5]! << 8);
  const layer = bytes[6]! | (bytes[7]! << 8);
  let kind: WasmKind;
  if (version === 1 && layer === 0) kind = "core";
  else if (layer === 1) kind = "component";
  else throw new Error(`unknown wasm version ${version} layer ${layer}`);
  let sections = 0;
  eachSection(bytes, () => sections++);
  return { kind, sections };
}

/** The export section of a core module (names as written, in order); throws on a component or bad bytes. */
export function coreExports(bytes: Uint8Array): CoreExport[] {
  if (parseWasmShape(bytes).kind !== "core") throw new Error("not a core module");
  const out: CoreExport[] = [];
  const text = new TextDecoder("utf-8", { fatal: true });
  eachSection(bytes, (id, start, end) => {
    if (id !== 7) return;
    let [count, at] = readLeb(bytes, start);
    for (; count > 0; count--) {
      const [len, nameAt] = readLeb(bytes, at);
      if (nameAt + len + 1 > end) throw new Error(`export section runs past its end at byte ${at}`);
      const name = text.decode(bytes.subarray(nameAt, nameAt + len));
      const kind = EXPORT_KINDS[bytes[nameAt + len]!];
      if (!kind) throw new Error(`unknown export kind ${bytes[nameAt + len]} for ${name}`);
      out.push({ name, kind });
      at = readLeb(bytes, nameAt + len + 1)[1];
    }
  });
  return out;
}

/** One entry of a component's top-level export section: its name and sort. */
export interface ComponentExport {
  name: string;
  kind: "core" | "func" | "value" | "type" | "component" | "instance";
}

const COMPONENT_SORTS = [undefined, "func", "value", "type", "component", "instance"] as const;

/**
 * The top-level export section of a component (names as written): `wasi:cli/run@0.2.0` (an instance),
 * `compute` (a function). Only the outer layer is read; what an exported instance holds needs its types
 * (see lib/engines/jco-cache.ts componentFunctions). Throws on a core module or bad bytes.
 */
export function componentExports(bytes: Uint8Array): ComponentExport[] {
  if (parseWasmShape(bytes).kind !== "component") throw new Error("not a component");
  const out: ComponentExport[] = [];
  const text = new TextDecoder("utf-8", { fatal: true });
  eachSection(bytes, (id, start, end) => {
    if (id !== 11) return;
    let [count, at] = readLeb(bytes, start);
    for (; count > 0 && at < end; count--) {
      // exportname': 0x00 (or the older 0x01) then the name
      if (bytes[at] !== 0x00 && bytes[at] !== 0x01) throw new Error(`bad export name byte at ${at}`);
      const [len, nameAt] = readLeb(bytes, at + 1);
      const name = text.decode(bytes.subarray(nameAt, nameAt + len));
      at = nameAt + len;
      const sort = bytes[at]!;
      const kind = sort === 0x00 ? "core" : COMPONENT_SORTS[sort];
      if (!kind) throw new Error(`unknown export sort ${sort} for ${name}`);
      at += sort === 0x00 ? 2 : 1;
      at = readLeb(bytes, at)[1]; // the index
      out.push({ name, kind });
      // an optional ascribed type: 0x00 none, 0x01 externdesc (sort byte(s) + one index for every sort
      // seam meets; a value's type is not read, and ends the walk: the names so far are all there is to say)
      const ascribed = bytes[at++];
      if (ascribed === 0x00) continue;
      const desc = bytes[at]!;
      if (desc === 0x02) break;
      if (desc === 0x03)
        at = readLeb(bytes, at + 2)[1]; // type bounds: 0x00 eq i | 0x01 sub resource
      else at = readLeb(bytes, at + (desc === 0x00 ? 2 : 1))[1];
    }
  });
  return out;
}

/** Whether a file has something to run without --invoke: a core module's `_start`, a component's wasi:cli
 * `run` export. */
export function hasEntryPoint(bytes: Uint8Array): boolean {
  const shape = parseWasmShape(bytes);
  if (shape.kind === "core") return coreExports(bytes).some((e) => e.kind === "func" && e.name === "_start");
  return componentExports(bytes).some((e) => e.kind === "instance" && /^wasi:cli\/run(@|$)/.test(e.name));
}

/**
 * The core export kilnd should call for an export named the way a component names it: the exact name,
 * else the one function export whose part after `#` equals the name's (`compute` ↔
 * `seam:fixtures/runner@0.1.0#compute`, either way round). Undefined when none or several match.
 */
export function matchExport(functions: string[], wanted: string): string | undefined {
  if (functions.includes(wanted)) return wanted;
  const fn = (s: string) => s.slice(s.lastIndexOf("#") + 1);
  const hits = functions.filter((f) => fn(f) === fn(wanted));
  return hits.length === 1 ? hits[0] : undefined;
}

/** The same match for a core module's function exports. */
export const matchCoreExport = matchExport;

/** Reads a wasm file a user named, or throws a one-line usage error (exit 2) saying what is wrong with
 * it: missing, not a regular file, not wasm, truncated. Every script checks its wasm inputs this way. */
export function readWasm(path: string, what: string): { bytes: Uint8Array; shape: WasmShape } {
  requireFile(path, what);
  const bytes = readFileSync(path);
  if (bytes.length === 0)
    throw usageError(`${path} is empty, not a WebAssembly file`, "pass a .wasm component or core module");
  try {
    return { bytes, shape: parseWasmShape(bytes) };
  } catch (e) {
    throw usageError(
      `${path} is not a WebAssembly file: ${(e as Error).message}`,
      "pass a .wasm component or core module",
    );
  }
}

/** One entry of a core module's import section: the module and field names. */
export interface CoreImport {
  module: string;
  name: string;
}

/** Skips a core limits (flags, min, optional max) at `at`; returns the next offset. */
function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at]!;
  let next = readLeb(bytes, at + 1)[1];
  if (flags & 1) next = readLeb(bytes, next)[1];
  return next;
}

/** The import section of a core module (names as written, in order); throws on a component or bad bytes. */
export function coreImports(bytes: Uint8Array): CoreImport[] {
  if (parseWasmShape(bytes).kind !== "core") throw new Error("not a core module");
  const out: CoreImport[] = [];
  const text = new TextDecoder("utf-8", { fatal: true });
  const name = (at: number): [string, number] => {
    const [len, from] = readLeb(bytes, at);
    return [text.decode(bytes.subarray(from, from + len)), from + len];
  };
  eachSection(bytes, (id, start) => {
    if (id !== 2) return;
    let [count, at] = readLeb(bytes, start);
    for (; count > 0; count--) {
      const [module, m] = name(at);
      const [field, f] = name(m);
      out.push({ module, name: field });
      const kind = bytes[f]!;
      if (kind === 0x00) at = readLeb(bytes, f + 1)[1];
      else if (kind === 0x01) at = skipLimits(bytes, f + 2);
      else if (kind === 0x02) at = skipLimits(bytes, f + 1);
      else if (kind === 0x03) at = f + 3;
      else if (kind === 0x04) at = readLeb(bytes, f + 2)[1];
      else throw new Error(`unknown import kind ${kind} for ${module} ${field}`);
    }
  });
  return out;
}

/**
 * The names a component imports at its top level (`wasi:cli/stdout@0.2.0`); nested components' imports
 * are not read. Only the names are read: each entry's type is skipped as componentExports skips one.
 */
export function componentImports(bytes: Uint8Array): string[] {
  if (parseWasmShape(bytes).kind !== "component") throw new Error("not a component");
  const out: string[] = [];
  const text = new TextDecoder("utf-8", { fatal: true });
  eachSection(bytes, (id, start, end) => {
    if (id !== 10) return;
    let [count, at] = readLeb(bytes, start);
    for (; count > 0 && at < end; count--) {
      if (bytes[at] !== 0x00 && bytes[at] !== 0x01) throw new Error(`bad import name byte at ${at}`);
      const [len, nameAt] = readLeb(bytes, at + 1);
      out.push(text.decode(bytes.subarray(nameAt, nameAt + len)));
      at = nameAt + len;
      const desc = bytes[at]!;
      if (desc === 0x02) break; // a value's type is not read: the names so far are all there is to say
      if (desc === 0x03) at = readLeb(bytes, at + 2)[1];
      else at = readLeb(bytes, at + (desc === 0x00 ? 2 : 1))[1];
    }
  });
  return out;
}
