/**
 * manifest — fixtures/manifest.yaml, the list of seam's fixtures: what each one is, how it is built and
 * what it must do. The types, loading and validating (through lib/yamlx.ts: every problem names
 * file:line:col, the fixture and the field; one entry's fields in lib/manifest-entry.ts), selecting
 * fixtures by name, and rewriting recorded hashes without disturbing the rest of the file. Judging a run
 * against a fixture is lib/judge.ts.
 * Used by scripts/fixtures.ts (build, verify), scripts/tier-c.ts, lib/adhoc*.ts and the tests.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar } from "yaml";
import { EXIT, SeamError, usageError } from "./errors.ts";
import { shownPath } from "./fsx.ts";
import { parseFixture } from "./manifest-entry.ts";
import type { Engine, MemoryMode } from "./records.ts";
import { ROOT } from "./tools.ts";
import { formatProblem, openYaml, type Problem } from "./yamlx.ts";

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

export interface ParseOptions {
  /** Check that files and sources exist and that hashes match (off while a build rewrites them). */
  checkFiles?: boolean;
}

const EMPTY = "the file is empty (it needs `schema:` and a `fixtures:` list; see fixtures/manifest.yaml's header)";

/** Parses and validates manifest text; never throws for bad content, returns every problem found. */
export function parseManifest(
  text: string,
  path: string,
  opts: ParseOptions = {},
): { manifest: Manifest; problems: Problem[] } {
  const dir = resolve(path, "..");
  const manifest: Manifest = { path, dir, fixtures: [] };
  const { file: c, syntax } = openYaml(text, path);
  if (syntax.length) return { manifest, problems: syntax.map((p) => ({ ...p, field: "yaml" })) };
  if (c.root === null || (isScalar(c.root) && c.root.value === null))
    return { manifest, problems: [{ line: 1, col: 1, field: "manifest", message: EMPTY }] };
  const root = c.map(c.root, "manifest", 0);
  if (!root) return { manifest, problems: c.problems };
  const top = c.entries(root, ["schema", "fixtures"], "");
  const schema = c.string(top.get("schema"), "schema", 0);
  if (schema !== undefined && schema !== MANIFEST_SCHEMA)
    c.fieldProblem(top.get("schema"), "schema", `is "${schema}", this seam reads ${MANIFEST_SCHEMA}`);
  const list = top.get("fixtures");
  if (!isSeq(list)) {
    c.fieldProblem(list, "fixtures", "must be a list of fixtures", 0);
    return { manifest, problems: c.problems };
  }
  const entry = { c, text, dir, checkFiles: opts.checkFiles ?? true, names: new Map<string, number>() };
  for (const item of list.items) {
    c.fixture = undefined;
    const m = c.map(item, "fixtures[]", list.range?.[0] ?? 0);
    const fixture = m && parseFixture(entry, m);
    if (fixture) manifest.fixtures.push(fixture);
  }
  return { manifest, problems: c.problems };
}

/** Loads and validates the manifest; the first problem becomes a one-line SeamError (exit 2). */
export function loadManifest(path: string = DEFAULT_MANIFEST, opts: ParseOptions = {}): Manifest {
  if (!existsSync(path))
    throw new SeamError(`fixture manifest not found: ${shownPath(path)}`, {
      hint: "run from a seam checkout, or pass the manifest path",
    });
  if (!statSync(path).isFile())
    throw new SeamError(`fixture manifest ${shownPath(path)} is not a file`, { hint: "pass the manifest's YAML file" });
  const { manifest, problems } = parseManifest(readFileSync(path, "utf8"), path, opts);
  if (problems.length) {
    const more = problems.slice(1, 4).map((p) => formatProblem(path, p));
    const hint =
      problems.length > 1
        ? `${problems.length - 1} more problem(s): ${more.join(" | ")}${problems.length > 4 ? " | …" : ""}`
        : "fix the field; the manifest's header comment describes each one";
    throw new SeamError(formatProblem(path, problems[0]!), { hint, exitCode: EXIT.usage });
  }
  return manifest;
}

/** The fixtures named in `only` (all of them when it is empty); an unknown name is a usage error. */
export function selectFixtures(all: Fixture[], only: string[] | undefined): Fixture[] {
  if (!only?.length) return all;
  const unknown = only.filter((n) => !all.some((f) => f.name === n));
  if (unknown.length)
    throw usageError(`unknown fixture: ${unknown.join(", ")}`, `known: ${all.map((f) => f.name).join(", ")}`);
  return all.filter((f) => only.includes(f.name));
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
