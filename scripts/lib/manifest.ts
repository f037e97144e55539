/**
 * manifest — fixtures/manifest.yaml, the list of seam's fixtures: what each one is, how it is built and
 * what it must do. Loads and validates it (every problem names file:line:col, the fixture and the
 * field), rewrites recorded hashes without disturbing the rest of the file, and judges an engine run
 * against a fixture's expectation.
 * Used by scripts/fixtures.ts (build, verify), scripts/tier-c.ts and the tests.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, normalize, relative, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar, type YAMLMap } from "yaml";
import { SeamError } from "./errors.ts";
import { sha256, shownPath } from "./fsx.ts";
import { MEMORY_MODES, type Engine, type MemoryMode, type RunRecord, type TypedValue } from "./records.ts";
import { ROOT } from "./tools.ts";

export const MANIFEST_SCHEMA = "seam.fixtures/1";
export const DEFAULT_MANIFEST = join(ROOT, "fixtures", "manifest.yaml");

export type FixtureKind = "command" | "invoke";
/** c-command: our C + seam_start.c, adapted with jco's preview1 command adapter; c-command-plain: the
 * same with wasi-libc's own crt1 (the usual way, which meld refuses); c-compose: a c-command that
 * imports a WIT interface (one .wit), nested in a composition template (one .wat) with its provider;
 * rust-command: a Rust program (the first .rs is the crate root) linked by Debian's rustc with
 * seam_start.c in place of wasi-libc's crt1, adapted like a c-command; rust-command-plain: the same
 * with rustc's own link (crt1, so wasm-ld wraps every export in the constructors); cpp-command: C++
 * (clang++ and libc++) with seam_start.c, adapted like a c-command; wat: one component-model WAT file;
 * prebuilt: a binary kept as committed, its one source the .wasm itself (what `tier-c --save-fixture`
 * writes for a component found ad hoc, whose sources seam does not have). */
export type BuildRecipe =
  | "c-command"
  | "c-command-plain"
  | "c-compose"
  | "rust-command"
  | "rust-command-plain"
  | "cpp-command"
  | "wat"
  | "prebuilt";
export { MEMORY_MODES, type MemoryMode } from "./records.ts";
const KINDS: readonly FixtureKind[] = ["command", "invoke"];
const RECIPES: readonly BuildRecipe[] = [
  "c-command",
  "c-command-plain",
  "c-compose",
  "rust-command",
  "rust-command-plain",
  "cpp-command",
  "wat",
  "prebuilt",
];

/** What a command fixture must do: exit with a status and print exact bytes, or trap. */
export type CommandExpectation =
  { kind: "exit"; exit: number; stdout?: string; stdoutSha256?: string; stdoutBytes?: number } | { kind: "trap" };

/** One export an invoke fixture calls, and what it must return (as an engine prints it) or that it traps. */
export interface InvokeCall {
  export: string;
  result?: string;
  trap: boolean;
  /** The result is not a scalar (kilnd --invoke prints only scalars): only reference engines check it. */
  referenceOnly: boolean;
}

/** What real meld does with a fixture in one memory mode, recorded so a change in meld shows up. */
export interface MeldExpectation {
  /** pass: fuses and the fused file meets the fixture's expectation; refused: meld declines it;
   * misfused: meld writes a file that does not meet the expectation. */
  outcome: "pass" | "refused" | "misfused";
  /** refused: a part of meld's error line; misfused: a part of the reference engine's error. */
  message?: string;
  /** The engine that judges the fused file when jco cannot run it (default jco). */
  reference?: Exclude<Engine, "kiln">;
  note?: string;
}

/** What meld does with a fixture when it writes its default output, a core module (kiln's RFC #46
 * path). No reference engine runs that module, so only fused or refused is recorded. */
export interface MeldCoreExpectation {
  outcome: "fused" | "refused";
  /** refused: a part of meld's error line. */
  message?: string;
}

/** A reference engine other than jco for this fixture, and why jco cannot judge it. */
export interface ReferenceOverride {
  engine: Exclude<Engine, "kiln">;
  why: string;
}

export interface Fixture {
  name: string;
  kind: FixtureKind;
  summary: string;
  /** Absolute path of the committed component. */
  file: string;
  /** `file` as the manifest writes it, relative to the manifest's folder. */
  relFile: string;
  sha256: string;
  build: BuildRecipe;
  /** As the manifest writes them, relative to the manifest's folder. */
  sources: string[];
  sourcePaths: string[];
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  /** Command fixtures only. */
  expect: CommandExpectation | null;
  /** Invoke fixtures only. */
  invoke: InvokeCall[];
  meld: Record<MemoryMode, MeldExpectation>;
  /** meld's core-module output per mode, when the manifest records it. */
  meldCore?: Record<MemoryMode, MeldCoreExpectation>;
  /** Set when jco cannot judge this fixture at all (a fused mode can override it again). */
  reference?: ReferenceOverride;
  /** Line of the fixture's entry in the manifest. */
  line: number;
}

export interface Manifest {
  path: string;
  dir: string;
  fixtures: Fixture[];
}

export interface Problem {
  line: number;
  col: number;
  fixture?: string;
  field: string;
  message: string;
}

export interface ParseOptions {
  /** Check that files and sources exist and that hashes match (off while a build rewrites them). */
  checkFiles?: boolean;
}

/** A path as a person reads it: relative to the working folder when inside it, else absolute. */
const shown = (path: string) => shownPath(path);

export function formatProblem(path: string, p: Problem): string {
  return `${shown(path)}:${p.line}:${p.col}: ${p.fixture ? `fixture ${p.fixture}: ` : ""}${p.field}: ${p.message}`;
}

/** Walks the YAML tree, collecting problems with positions; every getter returns undefined on a problem. */
class Checker {
  problems: Problem[] = [];
  fixture?: string;
  constructor(private readonly lc: LineCounter) {}

  at(node: Node | null | undefined, field: string, message: string, fallback = 0): void {
    const offset = node?.range?.[0] ?? fallback;
    const { line, col } = this.lc.linePos(offset);
    this.problems.push({ line, col, fixture: this.fixture, field, message });
  }

  map(node: unknown, field: string, parentOffset: number): YAMLMap | undefined {
    if (isMap(node)) return node;
    this.at(node as Node, field, node == null ? "is missing" : "must be a mapping", parentOffset);
    return undefined;
  }

  /** The value node of `key`, flagging unknown keys once per map. */
  entries(m: YAMLMap, allowed: readonly string[], prefix: string): Map<string, Node | null> {
    const out = new Map<string, Node | null>();
    for (const pair of m.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!allowed.includes(key)) {
        this.at(pair.key as Node, `${prefix}${key}`, `unknown field (expected one of: ${allowed.join(", ")})`);
        continue;
      }
      out.set(key, (pair.value as Node | null) ?? null);
    }
    return out;
  }

  /** A string field. A number or boolean written where a string belongs is told to quote it only when
   * the quoted text would be valid there (`valid`): `kind: 5` is not, since `"5"` is no kind either. */
  string(
    node: Node | null | undefined,
    field: string,
    offset: number,
    opts: { optional?: boolean; nonEmpty?: boolean; valid?: (s: string) => boolean; expected?: string } = {},
  ): string | undefined {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
      if (!opts.optional) this.at(node, field, "is missing", offset);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value !== "string") {
      const plain =
        isScalar(node) && (typeof node.value === "number" || typeof node.value === "boolean")
          ? String(node.source ?? node.value)
          : undefined;
      const quotable = plain !== undefined && (opts.valid ?? (() => true))(plain);
      const what =
        plain !== undefined && opts.expected
          ? `unknown value ${plain} (expected one of: ${opts.expected})`
          : "must be a string";
      this.at(node, field, `${what}${quotable ? ` (quote it: "${plain}")` : ""}`);
      return undefined;
    }
    if (opts.nonEmpty && node.value.trim() === "") {
      this.at(node, field, "must not be empty");
      return undefined;
    }
    return node.value;
  }

  oneOf<T extends string>(
    node: Node | null | undefined,
    field: string,
    offset: number,
    values: readonly T[],
  ): T | undefined {
    const s = this.string(node, field, offset, { valid: (v) => values.includes(v as T), expected: values.join(", ") });
    if (s === undefined) return undefined;
    if (!values.includes(s as T)) {
      this.at(node, field, `unknown value "${s}" (expected one of: ${values.join(", ")})`);
      return undefined;
    }
    return s as T;
  }

  int(node: Node | null | undefined, field: string, min: number, max: number): number | undefined {
    if (
      !isScalar(node) ||
      typeof node.value !== "number" ||
      !Number.isInteger(node.value) ||
      node.value < min ||
      node.value > max
    ) {
      this.at(node, field, `must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return node.value;
  }

  bool(node: Node | null | undefined, field: string): boolean | undefined {
    if (!isScalar(node) || typeof node.value !== "boolean") {
      this.at(node, field, "must be true or false");
      return undefined;
    }
    return node.value;
  }

  strings(node: Node | null | undefined, field: string): { values: string[]; nodes: Node[] } | undefined {
    if (!isSeq(node)) {
      this.at(node, field, "must be a list of strings");
      return undefined;
    }
    const values: string[] = [];
    const nodes: Node[] = [];
    node.items.forEach((item, i) => {
      const s = this.string(item as Node, `${field}[${i}]`, node.range?.[0] ?? 0);
      if (s !== undefined) {
        values.push(s);
        nodes.push(item as Node);
      }
    });
    return { values, nodes };
  }
}

/** A fixture name: it names files and test cases. */
export const NAME = /^[a-z][a-z0-9_]*$/;
const HEX64 = /^[0-9a-f]{64}$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FIXTURE_FIELDS = [
  "name",
  "kind",
  "summary",
  "file",
  "sha256",
  "build",
  "sources",
  "args",
  "env",
  "stdin",
  "expect",
  "invoke",
  "meld",
  "reference",
] as const;

/** A relative path inside the manifest's folder, or a problem. */
function innerPath(c: Checker, dir: string, rel: string, node: Node, field: string): string | undefined {
  if (isAbsolute(rel) || normalize(rel).split(/[\\/]/).includes("..")) {
    c.at(node, field, `must be a path inside ${shown(dir)}, relative to it: ${rel}`);
    return undefined;
  }
  return resolve(dir, rel);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function parseExpect(c: Checker, node: Node | null | undefined, offset: number): CommandExpectation | undefined {
  const m = c.map(node, "expect", offset);
  if (!m) return undefined;
  const e = c.entries(m, ["exit", "stdout", "stdout_sha256", "stdout_bytes", "trap"], "expect.");
  const at = m.range?.[0] ?? offset;
  if (e.has("trap")) {
    const trap = c.bool(e.get("trap"), "expect.trap");
    if (trap === false)
      c.at(e.get("trap"), "expect.trap", "must be true when present (leave it out for a fixture that exits)");
    for (const other of ["exit", "stdout", "stdout_sha256", "stdout_bytes"]) {
      if (e.has(other))
        c.at(e.get(other), `expect.${other}`, "a trapping fixture has no exit status or stdout to compare");
    }
    return trap ? { kind: "trap" } : undefined;
  }
  const exit = e.has("exit") ? c.int(e.get("exit"), "expect.exit", 0, 255) : 0;
  const out: CommandExpectation = { kind: "exit", exit: exit ?? 0 };
  if (e.has("stdout")) {
    if (e.has("stdout_sha256") || e.has("stdout_bytes"))
      c.at(
        e.get("stdout_sha256") ?? e.get("stdout_bytes"),
        "expect.stdout_sha256",
        "give stdout or its sha256 and byte count, not both",
      );
    const s = c.string(e.get("stdout"), "expect.stdout", at);
    if (s !== undefined) out.stdout = s;
  } else if (e.has("stdout_sha256") || e.has("stdout_bytes")) {
    const h = c.string(e.get("stdout_sha256"), "expect.stdout_sha256", at);
    if (h !== undefined && !HEX64.test(h))
      c.at(e.get("stdout_sha256"), "expect.stdout_sha256", "must be 64 lower-case hex digits");
    else if (h !== undefined) out.stdoutSha256 = h;
    if (!e.has("stdout_bytes")) c.at(m, "expect.stdout_bytes", "is missing (a stdout_sha256 needs the byte count too)");
    else {
      const n = c.int(e.get("stdout_bytes"), "expect.stdout_bytes", 0, Number.MAX_SAFE_INTEGER);
      if (n !== undefined) out.stdoutBytes = n;
    }
  } else {
    c.at(m, "expect.stdout", "is missing (give stdout, or stdout_sha256 with stdout_bytes, or trap: true)");
  }
  return out;
}

function parseInvoke(c: Checker, node: Node | null | undefined, offset: number): InvokeCall[] {
  if (!isSeq(node) || node.items.length === 0) {
    c.at(
      node,
      "invoke",
      node == null ? "is missing (an invoke fixture lists the exports to call)" : "must be a non-empty list of calls",
    );
    return [];
  }
  const calls: InvokeCall[] = [];
  const seen = new Set<string>();
  node.items.forEach((item, i) => {
    const field = `invoke[${i}]`;
    const m = c.map(item, field, node.range?.[0] ?? offset);
    if (!m) return;
    const e = c.entries(m, ["export", "result", "trap", "reference_only"], `${field}.`);
    const at = m.range?.[0] ?? offset;
    const name = c.string(e.get("export"), `${field}.export`, at, { nonEmpty: true });
    if (name !== undefined && seen.has(name)) c.at(e.get("export"), `${field}.export`, `"${name}" is listed twice`);
    if (name !== undefined) seen.add(name);
    const trap = e.has("trap") ? c.bool(e.get("trap"), `${field}.trap`) : false;
    let result: string | undefined;
    if (trap) {
      if (e.has("result")) c.at(e.get("result"), `${field}.result`, "a call expected to trap has no result");
    } else {
      result = c.string(e.get("result"), `${field}.result`, at);
    }
    const referenceOnly = e.has("reference_only") ? c.bool(e.get("reference_only"), `${field}.reference_only`) : false;
    if (name !== undefined && (trap || result !== undefined))
      calls.push({ export: name, result, trap: trap ?? false, referenceOnly: referenceOnly ?? false });
  });
  return calls;
}

function parseMeldCore(
  c: Checker,
  node: Node | null | undefined,
  offset: number,
): Record<MemoryMode, MeldCoreExpectation> | undefined {
  const m = c.map(node, "meld.core", offset);
  if (!m) return undefined;
  const e = c.entries(m, MEMORY_MODES, "meld.core.");
  const out: Partial<Record<MemoryMode, MeldCoreExpectation>> = {};
  for (const mode of MEMORY_MODES) {
    const field = `meld.core.${mode}`;
    const v = e.get(mode);
    if (!e.has(mode)) c.at(m, field, "is missing (fused, or {outcome: refused, message})");
    else if (isScalar(v)) {
      if (v.value === "fused") out[mode] = { outcome: "fused" };
      else c.at(v, field, `must be "fused" or a mapping {outcome: refused, message}`);
    } else {
      const vm = c.map(v, field, m.range?.[0] ?? offset);
      if (!vm) continue;
      const f = c.entries(vm, ["outcome", "message"], `${field}.`);
      const at = vm.range?.[0] ?? offset;
      const outcome = c.oneOf(f.get("outcome"), `${field}.outcome`, at, ["fused", "refused"] as const);
      const message =
        outcome === "refused" ? c.string(f.get("message"), `${field}.message`, at, { nonEmpty: true }) : undefined;
      if (outcome) out[mode] = { outcome, ...(message ? { message } : {}) };
    }
  }
  return out.multi && out.shared ? (out as Record<MemoryMode, MeldCoreExpectation>) : undefined;
}

function parseMeld(
  c: Checker,
  node: Node | null | undefined,
  offset: number,
): (Record<MemoryMode, MeldExpectation> & { core?: Record<MemoryMode, MeldCoreExpectation> }) | undefined {
  const m = c.map(node, "meld", offset);
  if (!m) return undefined;
  const e = c.entries(m, [...MEMORY_MODES, "core"], "meld.");
  const out: Partial<Record<MemoryMode, MeldExpectation>> = {};
  for (const mode of MEMORY_MODES) {
    const field = `meld.${mode}`;
    const v = e.get(mode);
    if (!e.has(mode)) {
      c.at(m, field, "is missing (pass, or a mapping with outcome and message)");
      continue;
    }
    if (isScalar(v)) {
      if (v.value === "pass") out[mode] = { outcome: "pass" };
      else c.at(v, field, `must be "pass" or a mapping {outcome, message, reference, note}`);
      continue;
    }
    const vm = c.map(v, field, m.range?.[0] ?? offset);
    if (!vm) continue;
    const f = c.entries(vm, ["outcome", "message", "reference", "note"], `${field}.`);
    const at = vm.range?.[0] ?? offset;
    const outcome = c.oneOf(f.get("outcome"), `${field}.outcome`, at, ["pass", "refused", "misfused"] as const);
    const exp: MeldExpectation = { outcome: outcome ?? "pass" };
    if (f.has("message")) exp.message = c.string(f.get("message"), `${field}.message`, at, { nonEmpty: true });
    else if (outcome === "refused" || outcome === "misfused")
      c.at(vm, `${field}.message`, `is missing (a ${outcome} outcome records meld's or the engine's words)`);
    if (f.has("reference"))
      exp.reference = c.oneOf(f.get("reference"), `${field}.reference`, at, ["jco", "wasmtime"] as const);
    if (f.has("note")) exp.note = c.string(f.get("note"), `${field}.note`, at);
    if (outcome) out[mode] = exp;
  }
  const core = e.has("core") ? parseMeldCore(c, e.get("core"), m.range?.[0] ?? offset) : undefined;
  return out.multi && out.shared
    ? { ...(out as Record<MemoryMode, MeldExpectation>), ...(core ? { core } : {}) }
    : undefined;
}

/** Parses and validates manifest text; never throws for bad content, returns every problem found. */
export function parseManifest(
  text: string,
  path: string,
  opts: ParseOptions = {},
): { manifest: Manifest; problems: Problem[] } {
  const checkFiles = opts.checkFiles ?? true;
  const dir = resolve(path, "..");
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const c = new Checker(lc);
  const manifest: Manifest = { path, dir, fixtures: [] };
  for (const err of doc.errors) {
    const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
    c.problems.push({
      line: pos.line,
      col: pos.col,
      field: "yaml",
      message: err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""),
    });
  }
  if (doc.errors.length) return { manifest, problems: c.problems };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    c.problems.push({
      line: 1,
      col: 1,
      field: "manifest",
      message: "the file is empty (it needs `schema:` and a `fixtures:` list; see fixtures/manifest.yaml's header)",
    });
    return { manifest, problems: c.problems };
  }
  const root = c.map(doc.contents, "manifest", 0);
  if (!root) return { manifest, problems: c.problems };
  const top = c.entries(root, ["schema", "fixtures"], "");
  const schema = c.string(top.get("schema"), "schema", 0);
  if (schema !== undefined && schema !== MANIFEST_SCHEMA)
    c.at(top.get("schema"), "schema", `is "${schema}", this seam reads ${MANIFEST_SCHEMA}`);
  const list = top.get("fixtures");
  if (!isSeq(list)) {
    c.at(list, "fixtures", "must be a list of fixtures", 0);
    return { manifest, problems: c.problems };
  }
  const names = new Map<string, number>();
  for (const item of list.items) {
    c.fixture = undefined;
    const m = c.map(item, "fixtures[]", list.range?.[0] ?? 0);
    if (!m) continue;
    const offset = m.range?.[0] ?? 0;
    const line = lc.linePos(offset).line;
    const nameNode = m.get("name", true) as Node | undefined;
    const name = c.string(nameNode, "name", offset, { valid: (v) => NAME.test(v) });
    if (name !== undefined) {
      c.fixture = name;
      if (!NAME.test(name))
        c.at(nameNode, "name", "must be lower-case letters, digits and _ (it names files and test cases)");
      const first = names.get(name);
      if (first !== undefined) c.at(nameNode, "name", `duplicate name (first used on line ${first})`);
      else names.set(name, line);
    }
    const e = c.entries(m, FIXTURE_FIELDS, "");
    const kind = c.oneOf(e.get("kind"), "kind", offset, KINDS);
    const summary = c.string(e.get("summary"), "summary", offset, { nonEmpty: true });
    const build = c.oneOf(e.get("build"), "build", offset, RECIPES);

    const relFile = c.string(e.get("file"), "file", offset, { nonEmpty: true });
    let file: string | undefined;
    if (relFile !== undefined) {
      file = innerPath(c, dir, relFile, e.get("file")!, "file");
      if (file && !relFile.endsWith(".wasm")) c.at(e.get("file"), "file", `must name a .wasm file: ${relFile}`);
      else if (file && checkFiles && !isFile(file)) c.at(e.get("file"), "file", `${relFile} not found`);
    }
    // A hash of digits only (or digits and one e) reads as a YAML number; the source text is the hash.
    const shaNode = e.get("sha256");
    const shaDigits =
      isScalar(shaNode) && typeof shaNode.value === "number" && shaNode.range
        ? text.slice(shaNode.range[0], shaNode.range[1])
        : undefined;
    const sha = shaDigits ?? c.string(shaNode, "sha256", offset, { optional: !checkFiles });
    if (sha !== undefined && checkFiles) {
      if (!HEX64.test(sha)) c.at(e.get("sha256"), "sha256", "must be 64 lower-case hex digits");
      else if (file && isFile(file)) {
        const actual = sha256(readFileSync(file));
        if (actual !== sha)
          c.at(
            e.get("sha256"),
            "sha256",
            `does not match ${relFile} (the file has ${actual}); rebuild with \`bun scripts/fixtures.ts build\``,
          );
      }
    }

    const sources: string[] = [];
    const sourcePaths: string[] = [];
    const src = e.has("sources")
      ? c.strings(e.get("sources"), "sources")
      : (c.at(m, "sources", "is missing"), undefined);
    if (src) {
      if (src.values.length === 0) c.at(e.get("sources"), "sources", "must list at least one source file");
      src.values.forEach((rel, i) => {
        const p = innerPath(c, dir, rel, src.nodes[i]!, `sources[${i}]`);
        if (!p) return;
        if (checkFiles && !isFile(p)) c.at(src.nodes[i], `sources[${i}]`, `${rel} not found`);
        sources.push(rel);
        sourcePaths.push(p);
      });
      if (build === "wat" && (src.values.length !== 1 || !src.values[0]!.endsWith(".wat")))
        c.at(e.get("sources"), "sources", "a wat build takes exactly one .wat file");
      if ((build === "c-command" || build === "c-command-plain") && src.values.some((s) => !s.endsWith(".c")))
        c.at(e.get("sources"), "sources", `a ${build} build takes .c files only`);
      const count = (ext: string) => src.values.filter((s) => s.endsWith(ext)).length;
      if (
        build === "c-compose" &&
        (count(".wit") !== 1 || count(".wat") !== 1 || count(".c") === 0 || count(".c") + 2 !== src.values.length)
      ) {
        c.at(e.get("sources"), "sources", "a c-compose build takes .c files, one .wit and one .wat template");
      }
      if (
        build === "rust-command" &&
        (!src.values[0]?.endsWith(".rs") || count(".c") === 0 || count(".rs") + count(".c") !== src.values.length)
      ) {
        c.at(
          e.get("sources"),
          "sources",
          "a rust-command build takes .rs files (the first is the crate root) and the .c entry point (src/c/seam_start.c)",
        );
      }
      if (build === "rust-command-plain" && (!src.values[0]?.endsWith(".rs") || count(".rs") !== src.values.length)) {
        c.at(
          e.get("sources"),
          "sources",
          "a rust-command-plain build takes .rs files only (the first is the crate root)",
        );
      }
      if (build === "prebuilt" && (src.values.length !== 1 || src.values[0] !== relFile)) {
        c.at(
          e.get("sources"),
          "sources",
          `a prebuilt fixture's one source is its committed binary: [${relFile ?? "NAME.wasm"}]`,
        );
      }
      if (
        build === "cpp-command" &&
        (count(".cpp") === 0 || count(".c") === 0 || count(".cpp") + count(".c") !== src.values.length)
      ) {
        c.at(
          e.get("sources"),
          "sources",
          "a cpp-command build takes .cpp files and the .c entry point (src/c/seam_start.c)",
        );
      }
    }

    let args: string[] = [];
    let env: Record<string, string> = {};
    let stdin: Uint8Array | undefined;
    if (e.has("args")) {
      if (kind === "invoke") c.at(e.get("args"), "args", "only command fixtures take arguments");
      args = c.strings(e.get("args"), "args")?.values ?? [];
    }
    if (e.has("env")) {
      const em = c.map(e.get("env"), "env", offset);
      for (const pair of em?.items ?? []) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (!ENV_NAME.test(key)) c.at(pair.key as Node, "env", `"${key}" is not an environment variable name`);
        const v = c.string(pair.value as Node, `env.${key}`, (pair.key as Scalar)?.range?.[0] ?? offset);
        if (v !== undefined) env[key] = v;
      }
    }
    if (e.has("stdin")) {
      if (kind === "invoke") c.at(e.get("stdin"), "stdin", "only command fixtures read stdin");
      const s = c.string(e.get("stdin"), "stdin", offset);
      if (s !== undefined) stdin = new TextEncoder().encode(s);
    }

    let expect: CommandExpectation | null = null;
    let invoke: InvokeCall[] = [];
    if (kind === "command") {
      expect = parseExpect(c, e.get("expect"), offset) ?? null;
      if (e.has("invoke")) c.at(e.get("invoke"), "invoke", "a command fixture is judged by expect, not invoke calls");
    } else if (kind === "invoke") {
      invoke = parseInvoke(c, e.get("invoke"), offset);
      if (e.has("expect"))
        c.at(e.get("expect"), "expect", "an invoke fixture is judged by its invoke calls, not expect");
    }
    const meld = parseMeld(c, e.get("meld"), offset);
    let reference: ReferenceOverride | undefined;
    if (e.has("reference")) {
      const rm = c.map(e.get("reference"), "reference", offset);
      if (rm) {
        const r = c.entries(rm, ["engine", "why"], "reference.");
        const at = rm.range?.[0] ?? offset;
        const engine = c.oneOf(r.get("engine"), "reference.engine", at, ["jco", "wasmtime"] as const);
        const why = c.string(r.get("why"), "reference.why", at, { nonEmpty: true });
        if (engine && why) reference = { engine, why };
      }
    }

    if (name && kind && summary && build && relFile && file && meld && (kind === "invoke" || expect)) {
      const { core: meldCore, ...byMode } = meld;
      manifest.fixtures.push({
        name,
        kind,
        summary,
        file,
        relFile,
        sha256: sha ?? "",
        build,
        sources,
        sourcePaths,
        args,
        env,
        stdin,
        expect,
        invoke,
        meld: byMode,
        line,
        ...(meldCore ? { meldCore } : {}),
        ...(reference ? { reference } : {}),
      });
    }
  }
  return { manifest, problems: c.problems };
}

/** Loads and validates the manifest; the first problem becomes a one-line SeamError (exit 2). */
export function loadManifest(path: string = DEFAULT_MANIFEST, opts: ParseOptions = {}): Manifest {
  if (!existsSync(path))
    throw new SeamError(`fixture manifest not found: ${shown(path)}`, {
      hint: "run from a seam checkout, or pass the manifest path",
    });
  if (!statSync(path).isFile())
    throw new SeamError(`fixture manifest ${shown(path)} is not a file`, { hint: "pass the manifest's YAML file" });
  const { manifest, problems } = parseManifest(readFileSync(path, "utf8"), path, opts);
  if (problems.length) {
    const more = problems.slice(1, 4).map((p) => formatProblem(path, p));
    const hint =
      problems.length > 1
        ? `${problems.length - 1} more problem(s): ${more.join(" | ")}${problems.length > 4 ? " | …" : ""}`
        : "fix the field; the manifest's header comment describes each one";
    throw new SeamError(formatProblem(path, problems[0]!), { hint, exitCode: 2 });
  }
  return manifest;
}

/**
 * Writes new sha256 values into manifest text, touching nothing else: each fixture's `sha256:` value is
 * replaced in place, or a `sha256:` line is added after its `file:` line.
 */
export function updateManifestHashes(text: string, hashes: Record<string, string>): string {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const list = isMap(doc.contents) ? doc.contents.get("fixtures", true) : undefined;
  const edits: { from: number; to: number; text: string }[] = [];
  for (const item of isSeq(list) ? list.items : []) {
    if (!isMap(item)) continue;
    const name = item.get("name");
    if (typeof name !== "string" || !(name in hashes)) continue;
    const hash = hashes[name]!;
    const node = item.get("sha256", true) as Scalar | undefined;
    if (node?.range) {
      edits.push({ from: node.range[0], to: node.range[1], text: hash });
      continue;
    }
    const fileNode = item.get("file", true) as Scalar | undefined;
    const filePair = item.items.find((p) => p.value === fileNode);
    const keyNode = filePair?.key as Scalar | undefined;
    if (!fileNode?.range || !keyNode?.range) continue;
    const lineEnd = text.indexOf("\n", fileNode.range[1]);
    const indent = " ".repeat(lc.linePos(keyNode.range[0]).col - 1);
    const at = lineEnd < 0 ? text.length : lineEnd;
    edits.push({ from: at, to: at, text: `\n${indent}sha256: ${hash}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

export interface Judgement {
  ok: boolean;
  why: string;
}

/** The invoke call a run made, matched by full export name or by the function name after `#`. */
export function findCall(fixture: Fixture, invoke: string): InvokeCall | undefined {
  const fn = (s: string) => s.slice(s.lastIndexOf("#") + 1);
  return (
    fixture.invoke.find((c) => c.export === invoke) ??
    fixture.invoke.find((c) => fn(c.export) === fn(invoke) && (!invoke.includes("#") || !c.export.includes("#")))
  );
}

function snippet(bytes: Uint8Array, at: number): string {
  return JSON.stringify(new TextDecoder().decode(bytes.subarray(at, at + 16)));
}

function compareStdout(run: RunRecord, exp: Extract<CommandExpectation, { kind: "exit" }>): Judgement {
  if (exp.stdoutSha256 !== undefined) {
    if (run.stdoutSha256 === exp.stdoutSha256 && run.stdoutBytes === exp.stdoutBytes)
      return { ok: true, why: `stdout matches (${run.stdoutBytes} bytes, sha256)` };
    return {
      ok: false,
      why: `stdout differs: expected ${exp.stdoutBytes} bytes with sha256 ${exp.stdoutSha256.slice(0, 12)}…, got ${run.stdoutBytes} bytes with ${run.stdoutSha256.slice(0, 12)}…`,
    };
  }
  const want = new TextEncoder().encode(exp.stdout ?? "");
  if (run.stdoutSha256 === sha256(want) && run.stdoutBytes === want.length)
    return { ok: true, why: `stdout matches (${want.length} bytes)` };
  const got = new TextEncoder().encode(run.stdout);
  const n = Math.min(want.length, got.length);
  let i = 0;
  while (i < n && want[i] === got[i]) i++;
  if (i < n)
    return { ok: false, why: `stdout differs at byte ${i}: expected ${snippet(want, i)}, got ${snippet(got, i)}` };
  if (run.stdoutBytes < want.length)
    return {
      ok: false,
      why: `stdout ends at byte ${run.stdoutBytes}, expected ${want.length} bytes (missing ${snippet(want, run.stdoutBytes)})`,
    };
  return {
    ok: false,
    why: `stdout has ${run.stdoutBytes} bytes, expected ${want.length} (extra from byte ${want.length}: ${snippet(got, want.length)})`,
  };
}

/**
 * Does a returned value meet the expected text? The same text, or, for kilnd's typed integers, the same
 * bits: kilnd prints every 32-bit result as I32, so a u32 4098775966 comes back as I32(-196191330).
 * Floats compare by value.
 */
export function resultMatches(expected: string, got: string, typed?: TypedValue): boolean {
  if (got === expected) return true;
  if (!typed) return false;
  const bits = { I32: 32, I64: 64 }[typed.type];
  if (bits !== undefined) {
    if (!/^-?\d+$/.test(expected) || !/^-?\d+$/.test(got)) return false;
    const want = BigInt(expected);
    const inRange = want >= -(2n ** BigInt(bits - 1)) && want < 2n ** BigInt(bits);
    return inRange && BigInt.asUintN(bits, want) === BigInt.asUintN(bits, BigInt(got));
  }
  if (typed.type === "F32" || typed.type === "F64")
    return Number(expected) === Number(got) || (Number.isNaN(Number(expected)) && Number.isNaN(Number(got)));
  return false;
}

/** What a failed run said, for a why-line. */
function outcome(run: RunRecord): string {
  const detail = run.errorLine ?? (run.results?.length ? `result ${run.results.join(", ")}` : "");
  return detail ? `${run.verdict} (${detail})` : run.verdict;
}

/**
 * Judges one engine run against a fixture's expectation. A guest's exit status is compared as
 * "non-zero": wasi:cli/exit@0.2 carries only ok/err, so engines report exit(3) as status 1 (measured:
 * jco 1.35 and wasmtime 49 both print 1); a status that is neither the expected code nor 1 is a
 * mismatch, and kilnd's status is not compared at all (upstream does not trust it).
 */
export function judgeRun(run: RunRecord, fixture: Fixture, invoke?: string): Judgement {
  if (run.verdict === "missing-engine") return { ok: false, why: `engine missing: ${run.errorLine ?? run.engine}` };
  if (fixture.kind === "invoke") {
    const name = invoke ?? run.invoke;
    if (!name) return { ok: false, why: `fixture ${fixture.name} is judged per invoke call; name the export` };
    const call = findCall(fixture, name);
    if (!call) return { ok: false, why: `fixture ${fixture.name} has no invoke call ${name}` };
    if (call.trap)
      return run.verdict === "trapped"
        ? { ok: true, why: `${name} trapped as expected` }
        : { ok: false, why: `${name}: expected trap, got ${outcome(run)}` };
    if (run.verdict !== "passed")
      return { ok: false, why: `${name}: expected result ${call.result}, got ${outcome(run)}` };
    const results = run.results ?? [];
    if (results.length === 1 && resultMatches(call.result!, results[0]!, run.values?.[0])) {
      return {
        ok: true,
        why: `${name} returned ${call.result}${results[0] === call.result ? "" : ` (${run.values?.[0]?.type}(${results[0]}))`}`,
      };
    }
    return {
      ok: false,
      why: `${name}: result differs: expected ${call.result}, got ${results.length ? results.join(", ") : "nothing"}`,
    };
  }
  const exp = fixture.expect;
  if (!exp) return { ok: false, why: `fixture ${fixture.name} has no expectation` };
  if (exp.kind === "trap")
    return run.verdict === "trapped"
      ? { ok: true, why: "trapped as expected" }
      : { ok: false, why: `expected trap, got ${outcome(run)}` };
  if (exp.exit === 0 && run.verdict !== "passed") return { ok: false, why: `expected exit 0, got ${outcome(run)}` };
  if (exp.exit !== 0) {
    if (run.verdict !== "exit-nonzero") return { ok: false, why: `expected exit ${exp.exit}, got ${outcome(run)}` };
    // A guest's status is known only when the engine reports it: kilnd prints no verdict line and
    // exits 1 for every failure, so "non-zero" from kilnd does not show that the guest chose to exit.
    const status = run.guestExit === undefined ? run.exitCode : run.guestExit;
    if (status === null)
      return {
        ok: false,
        why: `expected exit ${exp.exit}, but ${run.engine} lost the guest's exit status (${run.errorLine ?? "not reported"})`,
      };
    if (status !== exp.exit && status !== 1) {
      return {
        ok: false,
        why: `exit status ${status}: expected ${exp.exit} (or 1, as wasi:cli/exit@0.2 reports any error)`,
      };
    }
  }
  const out = compareStdout(run, exp);
  return out.ok ? { ok: true, why: `exit ${exp.exit === 0 ? 0 : "non-zero"}, ${out.why}` } : out;
}
