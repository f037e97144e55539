/**
 * wave — `--invoke 'name(arg, …)'` in the WAVE value syntax wasmtime takes: integers, floats, bool, char,
 * strings, lists, tuples, records, options, results, enums, variants and flags. A call is split into
 * its export name and its arguments, each argument checked against the export's WIT signature
 * (lib/core/wit-types.ts) and given back as wasmtime's text and as the value jco's binding takes. Pure.
 */
import { witSignature, witType, type WitFunc, type WitType } from "../core/wit-types.ts";

/** A WAVE value as written, before its type is known. */
export type WaveNode =
  | { k: "num"; text: string }
  | { k: "str"; value: string }
  | { k: "char"; value: string }
  | { k: "label"; name: string; payload?: WaveNode }
  | { k: "list"; items: WaveNode[] }
  | { k: "tuple"; items: WaveNode[] }
  | { k: "record"; fields: [string, WaveNode][] }
  | { k: "flags"; names: string[] };

/** One `--invoke`: the export's name and, when parentheses follow it, its arguments as written. */
export interface Call {
  name: string;
  args?: WaveNode[];
  /** The call as given, e.g. `is-leap(2024)`. */
  text: string;
}

/** An argument checked against its type: its text for wasmtime and its value for jco's binding. */
export interface Checked {
  wave: string;
  js: unknown;
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  fail(what: string): never {
    throw new Error(`${what} at character ${this.i + 1}`);
  }
  ws(): void {
    while (/\s/.test(this.s[this.i] ?? "")) this.i++;
  }
  eat(c: string): boolean {
    this.ws();
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }
  expect(c: string): void {
    if (!this.eat(c)) this.fail(`expected ${c}`);
  }
  /** Items up to `close`, separated by commas (a trailing comma allowed). */
  seq<T>(close: string, item: () => T): T[] {
    const out: T[] = [];
    while (!this.eat(close)) {
      out.push(item());
      if (!this.eat(",")) {
        this.expect(close);
        break;
      }
    }
    return out;
  }
  quoted(q: string): string {
    let out = "";
    this.i++;
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) this.fail(`unterminated ${q === '"' ? "string" : "char"}`);
      if (c === q) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" };
      if (e && simple[e]) out += simple[e];
      else if (e === "u" && this.s[this.i] === "{") {
        const end = this.s.indexOf("}", this.i);
        const cp = end > 0 ? parseInt(this.s.slice(this.i + 1, end), 16) : NaN;
        if (!Number.isFinite(cp) || cp > 0x10ffff) this.fail("bad \\u{…} escape");
        out += String.fromCodePoint(cp);
        this.i = end + 1;
      } else this.fail(`bad escape \\${e ?? ""}`);
    }
  }
  value(): WaveNode {
    this.ws();
    const c = this.s[this.i];
    if (c === '"') return { k: "str", value: this.quoted('"') };
    if (c === "'") {
      const value = this.quoted("'");
      if ([...value].length !== 1) this.fail("a char holds one character");
      return { k: "char", value };
    }
    if (c === "[") return (this.i++, { k: "list", items: this.seq("]", () => this.value()) });
    if (c === "(") return (this.i++, { k: "tuple", items: this.seq(")", () => this.value()) });
    if (c === "{") return this.braces();
    const num = /^[-+]?(\d+(\.\d+)?([eE][-+]?\d+)?|inf|nan)(?![\w-])/.exec(this.s.slice(this.i));
    if (num) return ((this.i += num[0].length), { k: "num", text: num[0] });
    const label = /^%?[a-z][a-z0-9]*(-[a-z0-9]+)*/i.exec(this.s.slice(this.i));
    if (!label) this.fail("expected a value");
    this.i += label[0].length;
    const name = label[0].replace(/^%/, "");
    if (!this.eat("(")) return { k: "label", name };
    const payload = this.value();
    this.expect(")");
    return { k: "label", name, payload };
  }
  /** `{a: 1, b: 2}` is a record, `{a, b}` flags, `{}` either. */
  braces(): WaveNode {
    this.i++;
    const fields: [string, WaveNode][] = [];
    const names: string[] = [];
    this.seq("}", () => {
      this.ws();
      const m = /^%?[a-z][a-z0-9]*(-[a-z0-9]+)*/i.exec(this.s.slice(this.i));
      if (!m) this.fail("expected a field or flag name");
      this.i += m[0].length;
      const name = m[0].replace(/^%/, "");
      if (this.eat(":")) fields.push([name, this.value()]);
      else names.push(name);
    });
    if (fields.length && names.length) this.fail("a record's fields need values");
    return names.length ? { k: "flags", names } : { k: "record", fields };
  }
}

/** Splits `name(arg, …)` (or a bare `name`) into its parts; a malformed argument list throws one line. */
export function parseCall(text: string): Call {
  const open = text.indexOf("(");
  const name = (open < 0 ? text : text.slice(0, open)).trim();
  if (!name) throw new Error(`--invoke ${JSON.stringify(text)} names no export`);
  if (open < 0) return { name, text };
  const p = new Parser(text);
  p.i = open + 1;
  let args: WaveNode[];
  try {
    args = p.seq(")", () => p.value());
    p.ws();
    if (p.i < text.length) p.fail("text after the closing )");
  } catch (e) {
    throw new Error(`--invoke ${text}: malformed arguments: ${(e as Error).message}`);
  }
  return { name, args, text };
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  s8: [-128n, 127n],
  u8: [0n, 255n],
  s16: [-32768n, 32767n],
  u16: [0n, 65535n],
  s32: [-(2n ** 31n), 2n ** 31n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  s64: [-(2n ** 63n), 2n ** 63n - 1n],
  u64: [0n, 2n ** 64n - 1n],
};

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const waveString = (s: string, q: string) =>
  q + [...s].map((c) => (c === q || c === "\\" ? `\\${c}` : c === "\n" ? "\\n" : c === "\t" ? "\\t" : c)).join("") + q;

/** A primitive argument against its type. */
function checkPrim(v: WaveNode, t: string): Checked {
  const range = INT_RANGES[t];
  if (range) {
    if (v.k !== "num" || !/^[-+]?\d+$/.test(v.text)) throw new Error(`expected ${t}, an integer`);
    const n = BigInt(v.text);
    if (n < range[0] || n > range[1]) throw new Error(`${v.text} is out of range for ${t}`);
    return { wave: n.toString(), js: t.endsWith("64") ? n : Number(n) };
  }
  if (t === "f32" || t === "f64") {
    if (v.k !== "num") throw new Error(`expected ${t}, a number`);
    const x = v.text.replace(/^\+/, "");
    return { wave: x, js: x === "nan" ? NaN : x.endsWith("inf") ? (x.startsWith("-") ? -Infinity : Infinity) : +x };
  }
  if (t === "bool") {
    if (v.k !== "label" || (v.name !== "true" && v.name !== "false") || v.payload)
      throw new Error("expected bool, true or false");
    return { wave: v.name, js: v.name === "true" };
  }
  if (t === "char") {
    if (v.k !== "char") throw new Error("expected char, e.g. 'x'");
    return { wave: waveString(v.value, "'"), js: v.value };
  }
  if (t === "string") {
    if (v.k !== "str") throw new Error('expected string, e.g. "text"');
    return { wave: waveString(v.value, '"'), js: v.value };
  }
  throw new Error(`seam cannot pass a ${t} argument`);
}

/** A labelled case (enum, variant, option, result) against its type. */
function checkCase(v: WaveNode, t: WitType & { kind: "enum" | "variant" | "option" | "result" }): Checked {
  if (v.k !== "label") throw new Error(`expected ${witType(t)}`);
  const payload = (pt: WitType | undefined): Checked | undefined => {
    if (!pt !== !v.payload) throw new Error(`${v.name} ${pt ? "needs a value" : "takes no value"} in ${witType(t)}`);
    return pt && v.payload ? checkValue(v.payload, pt) : undefined;
  };
  const wrap = (p: Checked | undefined) => `${v.name}${p ? `(${p.wave})` : ""}`;
  if (t.kind === "enum") {
    if (!t.names.includes(v.name) || v.payload) throw new Error(`expected one of ${t.names.join(", ")}`);
    return { wave: v.name, js: v.name };
  }
  if (t.kind === "option") {
    if (v.name === "none" && !v.payload) return { wave: "none", js: undefined };
    if (v.name !== "some") throw new Error(`expected some(…) or none for ${witType(t)}`);
    const p = payload(t.of)!;
    return { wave: wrap(p), js: p.js };
  }
  const cases =
    t.kind === "result"
      ? [
          { name: "ok", type: t.ok },
          { name: "err", type: t.err },
        ]
      : t.cases;
  const c = cases.find((x) => x.name === v.name);
  if (!c) throw new Error(`expected one of ${cases.map((x) => x.name).join(", ")} for ${witType(t)}`);
  const p = payload(c.type);
  return { wave: wrap(p), js: { tag: v.name, ...(p ? { val: p.js } : {}) } };
}

/** One argument against its WIT type: its wasmtime text and jco value, or an error saying what was expected. */
export function checkValue(v: WaveNode, t: WitType): Checked {
  switch (t.kind) {
    case "prim":
      return checkPrim(v, t.name);
    case "list": {
      if (v.k !== "list") throw new Error(`expected ${witType(t)}, e.g. [a, b]`);
      const items = v.items.map((x) => checkValue(x, t.of));
      return { wave: `[${items.map((x) => x.wave).join(", ")}]`, js: items.map((x) => x.js) };
    }
    case "tuple": {
      if (v.k !== "tuple" || v.items.length !== t.of.length) throw new Error(`expected ${witType(t)}`);
      const items = v.items.map((x, i) => checkValue(x, t.of[i]!));
      return { wave: `(${items.map((x) => x.wave).join(", ")})`, js: items.map((x) => x.js) };
    }
    case "record": {
      if (v.k !== "record") throw new Error(`expected ${witType(t)}`);
      const extra = v.fields.find(([n]) => !t.fields.some((f) => f.name === n));
      if (extra) throw new Error(`${witType(t)} has no field ${extra[0]}`);
      const parts = t.fields.map((f) => {
        const given = v.fields.find(([n]) => n === f.name);
        if (!given) throw new Error(`field ${f.name} missing for ${witType(t)}`);
        return [f.name, checkValue(given[1], f.type)] as const;
      });
      return {
        wave: `{${parts.map(([n, c]) => `${n}: ${c.wave}`).join(", ")}}`,
        js: Object.fromEntries(parts.map(([n, c]) => [camel(n), c.js])),
      };
    }
    case "flags": {
      const names = v.k === "flags" ? v.names : v.k === "record" && !v.fields.length ? [] : undefined;
      const bad = names?.find((n) => !t.names.includes(n));
      if (!names || bad) throw new Error(`expected ${witType(t)}${bad ? `: no flag ${bad}` : ""}`);
      return {
        wave: `{${names.join(", ")}}`,
        js: Object.fromEntries(t.names.map((n) => [camel(n), names.includes(n)])),
      };
    }
    case "enum":
    case "variant":
    case "option":
    case "result":
      return checkCase(v, t);
    default:
      throw new Error(`seam cannot pass a ${witType(t)} argument`);
  }
}

/** A call's arguments against the export's signature: each checked, or one line saying what does not fit. */
export function checkCall(call: Call, f: WitFunc): Checked[] {
  const args = call.args ?? [];
  const sig = `${call.name}: ${witSignature(f)}`;
  if (args.length !== f.params.length)
    throw new Error(
      `--invoke ${call.text}: ${call.name} takes ${f.params.length} argument(s), ${args.length} given (${sig})`,
    );
  return args.map((a, i) => {
    const p = f.params[i]!;
    try {
      return checkValue(a, p.type);
    } catch (e) {
      throw new Error(`--invoke ${call.text}: argument ${i + 1} (${p.name}): ${(e as Error).message} (${sig})`);
    }
  });
}

/** JSON for jco's host: bigints (s64, u64) as {"$bigint": "…"}, read back by jco-host.ts. */
export function jsArgsJson(args: Checked[]): string {
  return JSON.stringify(
    args.map((a) => a.js),
    (_k, x: unknown) => (typeof x === "bigint" ? { $bigint: x.toString() } : x === undefined ? null : x),
  );
}
