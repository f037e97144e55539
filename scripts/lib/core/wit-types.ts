/**
 * wit-types — the functions a component exports, with their WIT signatures, read from the component's own
 * type information (type, import, alias, canon, instance and export sections, nested components too), so
 * that `is-leap: func(year: s32) -> s32` is known before anything runs. Pure: bytes in, signatures out.
 * Where the binary holds something this reader does not know, it throws; callers fall back to names only.
 */
import { eachSection } from "./wasm.ts";

/** A WIT value type, resolved: primitives by name, the rest structurally (with the name a type export gave it). */
export type WitType =
  | { kind: "prim"; name: string }
  | { kind: "list"; of: WitType; name?: string }
  | { kind: "tuple"; of: WitType[]; name?: string }
  | { kind: "option"; of: WitType; name?: string }
  | { kind: "result"; ok?: WitType; err?: WitType; name?: string }
  | { kind: "record"; fields: { name: string; type: WitType }[]; name?: string }
  | { kind: "variant"; cases: { name: string; type?: WitType }[]; name?: string }
  | { kind: "enum"; names: string[]; name?: string }
  | { kind: "flags"; names: string[]; name?: string }
  | { kind: "handle"; own: boolean; name?: string }
  | { kind: "other"; what: string; name?: string };

export interface WitFunc {
  kind: "func";
  params: { name: string; type: WitType }[];
  result?: WitType;
}

type Entry = WitType | WitFunc | InstanceT | ComponentT;
interface InstanceT {
  kind: "instance";
  exports: Map<string, Entry | undefined>;
}
interface ComponentT {
  kind: "component";
  exports: Map<string, Entry | undefined>;
}

/** One callable export: its full name (`gate:leap/rule@0.1.0#is-leap`, or `compute` at the top level). */
export interface ExportedFunction {
  name: string;
  func: WitFunc;
}

const PRIMS: Record<number, string> = {
  0x7f: "bool",
  0x7e: "s8",
  0x7d: "u8",
  0x7c: "s16",
  0x7b: "u16",
  0x7a: "s32",
  0x79: "u32",
  0x78: "s64",
  0x77: "u64",
  0x76: "f32",
  0x75: "f64",
  0x74: "char",
  0x73: "string",
  0x64: "error-context",
};

const SORTS = ["core", "func", "value", "type", "component", "instance"] as const;
type Sort = (typeof SORTS)[number];

/** The index spaces of one component (or instance/component type) scope, with its enclosing scope. */
interface Scope {
  types: (Entry | undefined)[];
  funcs: (Entry | undefined)[];
  instances: (Entry | undefined)[];
  components: (Entry | undefined)[];
  parent?: Scope;
}

const newScope = (parent?: Scope): Scope => ({ types: [], funcs: [], instances: [], components: [], parent });

function space(s: Scope, sort: Sort): (Entry | undefined)[] | undefined {
  return sort === "type"
    ? s.types
    : sort === "func"
      ? s.funcs
      : sort === "instance"
        ? s.instances
        : sort === "component"
          ? s.components
          : undefined;
}

class Reader {
  at: number;
  constructor(
    readonly b: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.at = start;
  }
  byte(): number {
    if (this.at >= this.end) throw new Error(`unexpected end at byte ${this.at}`);
    return this.b[this.at++]!;
  }
  u32(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const x = this.byte();
      v += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) return v;
    }
    throw new Error(`bad LEB128 at byte ${this.at}`);
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  /** importname'/exportname': 0x00 name, or 0x01 name (the older form with a version suffix). */
  externName(): string {
    const tag = this.byte();
    if (tag !== 0x00 && tag !== 0x01) throw new Error(`bad extern name tag ${tag}`);
    return this.name();
  }
  sort(): Sort {
    const s = this.byte();
    if (s === 0x00) {
      this.byte();
      return "core";
    }
    const sort = SORTS[s];
    if (!sort) throw new Error(`unknown sort ${s}`);
    return sort;
  }
}

const named = <T extends Entry>(t: T | undefined, name: string): T | undefined =>
  t && t.kind !== "func" && t.kind !== "instance" && t.kind !== "component" && t.kind !== "prim"
    ? ({ ...t, name } as T)
    : t;

function valType(r: Reader, s: Scope): WitType {
  const x = r.b[r.at]!;
  if (PRIMS[x]) return (r.at++, { kind: "prim", name: PRIMS[x]! });
  const t = s.types[r.u32()];
  return t && t.kind !== "func" && t.kind !== "instance" && t.kind !== "component"
    ? t
    : { kind: "other", what: "type" };
}

const vec = <T>(r: Reader, f: () => T): T[] => Array.from({ length: r.u32() }, f);
const optType = (r: Reader, s: Scope) => (r.byte() === 0x00 ? undefined : valType(r, s));

/** A defvaltype after its opcode `op`. */
function defValType(op: number, r: Reader, s: Scope): WitType {
  switch (op) {
    case 0x72:
      return { kind: "record", fields: vec(r, () => ({ name: r.name(), type: valType(r, s) })) };
    case 0x71:
      return {
        kind: "variant",
        cases: vec(r, () => {
          const name = r.name();
          const type = optType(r, s);
          if (r.byte() !== 0x00) throw new Error("variant refines are not read");
          return { name, ...(type ? { type } : {}) };
        }),
      };
    case 0x70:
      return { kind: "list", of: valType(r, s) };
    case 0x67: {
      const of = valType(r, s);
      r.u32();
      return { kind: "list", of };
    }
    case 0x6f:
      return { kind: "tuple", of: vec(r, () => valType(r, s)) };
    case 0x6e:
      return { kind: "flags", names: vec(r, () => r.name()) };
    case 0x6d:
      return { kind: "enum", names: vec(r, () => r.name()) };
    case 0x6b:
      return { kind: "option", of: valType(r, s) };
    case 0x6a: {
      const ok = optType(r, s);
      const err = optType(r, s);
      return { kind: "result", ...(ok ? { ok } : {}), ...(err ? { err } : {}) };
    }
    case 0x69:
    case 0x68:
      return (r.u32(), { kind: "handle", own: op === 0x69 });
    case 0x66:
    case 0x65:
      return (optType(r, s), { kind: "other", what: op === 0x66 ? "stream" : "future" });
  }
  if (PRIMS[op]) return { kind: "prim", name: PRIMS[op]! };
  throw new Error(`unknown type opcode 0x${op.toString(16)}`);
}

/** A deftype (a value type, a function, an instance or component type, a resource). */
function defType(r: Reader, s: Scope): Entry {
  const op = r.byte();
  if (op === 0x40 || op === 0x43) {
    const params = vec(r, () => ({ name: r.name(), type: valType(r, s) }));
    const tag = r.byte();
    if (tag === 0x00) return { kind: "func", params, result: valType(r, s) };
    if (r.byte() !== 0x00) throw new Error("named results are not read");
    return { kind: "func", params };
  }
  if (op === 0x41 || op === 0x42) return declType(r, s, op === 0x41);
  if (op === 0x3f || op === 0x3e) {
    if (r.byte() !== 0x7f) throw new Error("resource rep must be i32");
    if (r.byte() === 0x01) r.u32();
    if (op === 0x3e && r.byte() === 0x01) r.u32();
    return { kind: "handle", own: true };
  }
  return defValType(op, r, s);
}

/** The type an externdesc names, in scope `s`, with the sort it adds to. */
function externDesc(r: Reader, s: Scope): { sort: Sort; type: Entry | undefined } {
  const d = r.byte();
  if (d === 0x00) return (r.byte(), r.u32(), { sort: "core", type: undefined });
  if (d === 0x02) throw new Error("value imports are not read");
  if (d === 0x03) {
    if (r.byte() === 0x01) return { sort: "type", type: { kind: "handle", own: true } };
    return { sort: "type", type: s.types[r.u32()] };
  }
  const sort = ({ 1: "func", 4: "component", 5: "instance" } as const)[d as 1 | 4 | 5];
  if (!sort) throw new Error(`unknown externdesc ${d}`);
  return { sort, type: s.types[r.u32()] };
}

/** An alias: an export of an instance, or an outer definition; adds to its sort's space in `s`. */
function alias(r: Reader, s: Scope): void {
  const sort = r.sort();
  const target = r.byte();
  let found: Entry | undefined;
  if (target === 0x00) {
    const inst = s.instances[r.u32()];
    const name = r.name();
    found = inst && "exports" in inst ? inst.exports.get(name) : undefined;
  } else if (target === 0x01) {
    r.u32();
    r.name();
  } else if (target === 0x02) {
    let up = r.u32();
    const i = r.u32();
    let outer: Scope | undefined = s;
    while (up-- > 0) outer = outer?.parent;
    found = outer && space(outer, sort)?.[i];
  } else throw new Error(`unknown alias target ${target}`);
  space(s, sort)?.push(found);
}

/** An instance type (0x42) or component type (0x41): the exports it declares. */
function declType(r: Reader, parent: Scope, component: boolean): Entry {
  const s = newScope(parent);
  const exports = new Map<string, Entry | undefined>();
  for (let n = r.u32(); n > 0; n--) {
    const tag = r.byte();
    if (tag === 0x00) throw new Error("core types in type declarations are not read");
    else if (tag === 0x01) s.types.push(defType(r, s));
    else if (tag === 0x02) alias(r, s);
    else if (tag === 0x03 || tag === 0x04) {
      const name = r.externName();
      const d = externDesc(r, s);
      const t = d.sort === "type" ? named(d.type, name) : d.type;
      space(s, d.sort)?.push(t);
      if (tag === 0x04) exports.set(name, t);
    } else throw new Error(`unknown declaration ${tag}`);
  }
  return { kind: component ? "component" : "instance", exports };
}

/** One canon entry: a lift defines a component function; every other canon op defines core items. */
function canon(r: Reader, s: Scope): void {
  const op = r.byte();
  if (op === 0x00) {
    r.byte();
    r.u32();
    canonOpts(r);
    s.funcs.push(s.types[r.u32()]);
  } else if (op === 0x01) {
    r.byte();
    r.u32();
    canonOpts(r);
  } else if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x07) r.u32();
  else throw new Error(`canon op 0x${op.toString(16)} is not read`);
}

function canonOpts(r: Reader): void {
  for (let n = r.u32(); n > 0; n--) {
    const o = r.byte();
    if (o === 0x03 || o === 0x04 || o === 0x05 || o === 0x07) r.u32();
  }
}

/** The instance section: instances from a component's instantiation, or from inline exports. */
function instances(r: Reader, s: Scope): void {
  for (let n = r.u32(); n > 0; n--) {
    const tag = r.byte();
    if (tag === 0x00) {
      const c = s.components[r.u32()];
      for (let a = r.u32(); a > 0; a--) (r.name(), r.sort(), r.u32());
      s.instances.push({ kind: "instance", exports: c && "exports" in c ? c.exports : new Map() });
    } else if (tag === 0x01) {
      const exports = new Map<string, Entry | undefined>();
      for (let e = r.u32(); e > 0; e--) {
        const name = r.externName();
        const sort = r.sort();
        exports.set(name, space(s, sort)?.[r.u32()]);
      }
      s.instances.push({ kind: "instance", exports });
    } else throw new Error(`unknown instance tag ${tag}`);
  }
}

/** The export section: each export adds to its sort's space (with its ascribed type, if any). */
function exportsOf(r: Reader, s: Scope, out: Map<string, Entry | undefined>): void {
  for (let n = r.u32(); n > 0; n--) {
    const name = r.externName();
    const sort = r.sort();
    let t = space(s, sort)?.[r.u32()];
    if (r.byte() === 0x01) t = externDesc(r, s).type ?? t;
    if (sort === "type") t = named(t, name);
    space(s, sort)?.push(t);
    if (sort !== "core") out.set(name, t);
  }
}

/** Reads one component's sections (recursing into nested ones) into its scope; returns its exports. */
function component(b: Uint8Array, start: number, end: number, parent?: Scope): ComponentT {
  const s = newScope(parent);
  const exports = new Map<string, Entry | undefined>();
  eachSection(b, (id, from, to) => section(id, new Reader(b, from, to), s, exports), start + 8, end);
  return { kind: "component", exports };
}

/** One section of a component: what it adds to the scope's index spaces, or to its exports. */
function section(id: number, r: Reader, s: Scope, exports: Map<string, Entry | undefined>): void {
  if (id === 4) s.components.push(component(r.b, r.at, r.end, s));
  else if (id === 5) instances(r, s);
  else if (id === 6) for (let n = r.u32(); n > 0; n--) alias(r, s);
  else if (id === 7) for (let n = r.u32(); n > 0; n--) s.types.push(defType(r, s));
  else if (id === 8) for (let n = r.u32(); n > 0; n--) canon(r, s);
  else if (id === 10)
    for (let n = r.u32(); n > 0; n--) {
      const name = r.externName();
      const d = externDesc(r, s);
      space(s, d.sort)?.push(d.sort === "type" ? named(d.type, name) : d.type);
    }
  else if (id === 11) exportsOf(r, s, exports);
}

/**
 * Every function a component exports, by the name --invoke takes: a top-level function as `name`, an
 * exported instance's as `iface#name`, each with its WIT signature. Throws when the bytes hold a
 * construct this reader does not know.
 */
export function exportedFunctions(bytes: Uint8Array): ExportedFunction[] {
  const top = component(bytes, 0, bytes.length);
  const out: ExportedFunction[] = [];
  for (const [name, t] of top.exports) {
    if (t?.kind === "func") out.push({ name, func: t });
    if (t?.kind === "instance")
      for (const [fn, ft] of t.exports) if (ft?.kind === "func") out.push({ name: `${name}#${fn}`, func: ft });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A type as WIT writes it: its name when a type export gave it one, else its structure. */
export function witType(t: WitType): string {
  if (t.kind === "prim") return t.name;
  if (t.name) return t.name;
  switch (t.kind) {
    case "list":
      return `list<${witType(t.of)}>`;
    case "option":
      return `option<${witType(t.of)}>`;
    case "tuple":
      return `tuple<${t.of.map(witType).join(", ")}>`;
    case "result":
      return t.ok || t.err ? `result<${t.ok ? witType(t.ok) : "_"}${t.err ? `, ${witType(t.err)}` : ""}>` : "result";
    case "record":
      return `record { ${t.fields.map((f) => `${f.name}: ${witType(f.type)}`).join(", ")} }`;
    case "variant":
      return `variant { ${t.cases.map((c) => (c.type ? `${c.name}(${witType(c.type)})` : c.name)).join(", ")} }`;
    case "enum":
      return `enum { ${t.names.join(", ")} }`;
    case "flags":
      return `flags { ${t.names.join(", ")} }`;
    case "handle":
      return t.own ? "resource" : "borrow<resource>";
    case "other":
      return t.what;
  }
}

/** A function type as WIT writes it: `func(year: s32) -> s32`. */
export function witSignature(f: WitFunc): string {
  const params = f.params.map((p) => `${p.name}: ${witType(p.type)}`).join(", ");
  return `func(${params})${f.result ? ` -> ${witType(f.result)}` : ""}`;
}
