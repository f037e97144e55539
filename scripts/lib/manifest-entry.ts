/**
 * manifest-entry — one fixture's entry in fixtures/manifest.yaml: its fields, the rules each one follows
 * (a name, a path inside the manifest's folder, a hash that matches the file, the sources a build recipe
 * takes, what a command gets) and the typed `Fixture` they make. Read through lib/yamlx.ts; every
 * problem names the fixture and the field. Used by lib/manifest.ts.
 */
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, normalize, resolve } from "node:path";
import { isScalar, type Node, type Scalar, type YAMLMap } from "yaml";
import { sha256, shownPath } from "./fsx.ts";
import type { BuildRecipe, CommandExpectation, Fixture, FixtureKind, InvokeCall } from "./manifest.ts";
import { HEX64, parseExpect, parseInvoke, parseMeld, parseReference } from "./manifest-expect.ts";
import type { YamlFile } from "./yamlx.ts";

/** A fixture name: it names files and test cases. */
export const NAME = /^[a-z][a-z0-9_]*$/;
/** An environment variable's name, as a command fixture's `env` keys are. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
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

/** What reading an entry needs beside it: the file, its text and folder, and the names seen so far. */
export interface EntryContext {
  c: YamlFile;
  text: string;
  dir: string;
  /** Check that files and sources exist and that hashes match. */
  checkFiles: boolean;
  /** Each fixture name read so far, with its line. */
  names: Map<string, number>;
}

type Entries = Map<string, Node | null>;

/** A relative path inside the manifest's folder, or a problem. */
function innerPath(c: YamlFile, dir: string, rel: string, node: Node, field: string): string | undefined {
  if (isAbsolute(rel) || normalize(rel).split(/[\\/]/).includes("..")) {
    c.fieldProblem(node, field, `must be a path inside ${shownPath(dir)}, relative to it: ${rel}`);
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

/** The fixture's name, checked against the rule and the names before it; the problems after it name it. */
function parseName(x: EntryContext, m: YAMLMap, offset: number, line: number): string | undefined {
  const nameNode = m.get("name", true) as Node | undefined;
  const name = x.c.string(nameNode, "name", offset, { valid: (v) => NAME.test(v) });
  if (name === undefined) return undefined;
  x.c.fixture = name;
  if (!NAME.test(name))
    x.c.fieldProblem(nameNode, "name", "must be lower-case letters, digits and _ (it names files and test cases)");
  const first = x.names.get(name);
  if (first !== undefined) x.c.fieldProblem(nameNode, "name", `duplicate name (first used on line ${first})`);
  else x.names.set(name, line);
  return name;
}

/** `file` (a .wasm inside the manifest's folder) and its `sha256`, checked against each other. */
function parseFile(x: EntryContext, e: Entries, offset: number): { relFile?: string; file?: string; sha?: string } {
  const { c, dir, checkFiles } = x;
  const relFile = c.string(e.get("file"), "file", offset, { nonEmpty: true });
  let file: string | undefined;
  if (relFile !== undefined) {
    file = innerPath(c, dir, relFile, e.get("file")!, "file");
    if (file && !relFile.endsWith(".wasm")) c.fieldProblem(e.get("file"), "file", `must name a .wasm file: ${relFile}`);
    else if (file && checkFiles && !isFile(file)) c.fieldProblem(e.get("file"), "file", `${relFile} not found`);
  }
  // A hash of digits only (or digits and one e) reads as a YAML number; the source text is the hash.
  const shaNode = e.get("sha256");
  const shaDigits =
    isScalar(shaNode) && typeof shaNode.value === "number" && shaNode.range
      ? x.text.slice(shaNode.range[0], shaNode.range[1])
      : undefined;
  const sha = shaDigits ?? c.string(shaNode, "sha256", offset, { optional: !checkFiles });
  if (sha !== undefined && checkFiles) {
    if (!HEX64.test(sha)) c.fieldProblem(shaNode, "sha256", "must be 64 lower-case hex digits");
    else if (file && isFile(file)) {
      const actual = sha256(readFileSync(file));
      if (actual !== sha)
        c.fieldProblem(
          shaNode,
          "sha256",
          `does not match ${relFile} (the file has ${actual}); rebuild with \`bun scripts/fixtures.ts build\``,
        );
    }
  }
  return { relFile, file, sha };
}

/** Why a recipe cannot build from these sources (undefined: it can). */
function recipeSourcesProblem(build: BuildRecipe | undefined, srcs: string[], relFile?: string): string | undefined {
  const count = (ext: string) => srcs.filter((s) => s.endsWith(ext)).length;
  const rsRoot = srcs[0]?.endsWith(".rs") ?? false;
  const bad: Partial<Record<BuildRecipe, [boolean, string]>> = {
    wat: [srcs.length !== 1 || !srcs[0]!.endsWith(".wat"), "a wat build takes exactly one .wat file"],
    "c-command": [srcs.some((s) => !s.endsWith(".c")), "a c-command build takes .c files only"],
    "c-command-plain": [srcs.some((s) => !s.endsWith(".c")), "a c-command-plain build takes .c files only"],
    "c-compose": [
      count(".wit") !== 1 || count(".wat") !== 1 || count(".c") === 0 || count(".c") + 2 !== srcs.length,
      "a c-compose build takes .c files, one .wit and one .wat template",
    ],
    "rust-command": [
      !rsRoot || count(".c") === 0 || count(".rs") + count(".c") !== srcs.length,
      "a rust-command build takes .rs files (the first is the crate root) and the .c entry point (src/c/seam_start.c)",
    ],
    "rust-command-plain": [
      !rsRoot || count(".rs") !== srcs.length,
      "a rust-command-plain build takes .rs files only (the first is the crate root)",
    ],
    prebuilt: [
      srcs.length !== 1 || srcs[0] !== relFile,
      `a prebuilt fixture's one source is its committed binary: [${relFile ?? "NAME.wasm"}]`,
    ],
    "cpp-command": [
      count(".cpp") === 0 || count(".c") === 0 || count(".cpp") + count(".c") !== srcs.length,
      "a cpp-command build takes .cpp files and the .c entry point (src/c/seam_start.c)",
    ],
  };
  const rule = build && bad[build];
  return rule?.[0] ? rule[1] : undefined;
}

/** `sources`: files inside the manifest's folder, the ones the fixture's build recipe takes. */
function parseSources(x: EntryContext, e: Entries, m: YAMLMap, build?: BuildRecipe, relFile?: string) {
  const { c } = x;
  const sources: string[] = [];
  const sourcePaths: string[] = [];
  const src = e.has("sources") ? c.strings(e.get("sources"), "sources") : undefined;
  if (!e.has("sources")) c.fieldProblem(m, "sources", "is missing");
  if (!src) return { sources, sourcePaths };
  if (src.values.length === 0) c.fieldProblem(e.get("sources"), "sources", "must list at least one source file");
  src.values.forEach((rel, i) => {
    const p = innerPath(c, x.dir, rel, src.nodes[i]!, `sources[${i}]`);
    if (!p) return;
    if (x.checkFiles && !isFile(p)) c.fieldProblem(src.nodes[i], `sources[${i}]`, `${rel} not found`);
    sources.push(rel);
    sourcePaths.push(p);
  });
  const problem = recipeSourcesProblem(build, src.values, relFile);
  if (problem) c.fieldProblem(e.get("sources"), "sources", problem);
  return { sources, sourcePaths };
}

/** What a command gets: `args`, `env` and `stdin` (an invoke fixture takes no args or stdin). */
function parseInputs(c: YamlFile, e: Entries, kind: FixtureKind | undefined, offset: number) {
  let args: string[] = [];
  const env: Record<string, string> = {};
  let stdin: Uint8Array | undefined;
  if (e.has("args")) {
    if (kind === "invoke") c.fieldProblem(e.get("args"), "args", "only command fixtures take arguments");
    args = c.strings(e.get("args"), "args")?.values ?? [];
  }
  if (e.has("env")) {
    const em = c.map(e.get("env"), "env", offset);
    for (const pair of em?.items ?? []) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!ENV_NAME.test(key)) c.fieldProblem(pair.key as Node, "env", `"${key}" is not an environment variable name`);
      const v = c.string(pair.value as Node, `env.${key}`, (pair.key as Scalar)?.range?.[0] ?? offset);
      if (v !== undefined) env[key] = v;
    }
  }
  if (e.has("stdin")) {
    if (kind === "invoke") c.fieldProblem(e.get("stdin"), "stdin", "only command fixtures read stdin");
    const s = c.string(e.get("stdin"), "stdin", offset);
    if (s !== undefined) stdin = new TextEncoder().encode(s);
  }
  return { args, env, stdin };
}

/** How the fixture is judged: a command by `expect`, an invoke fixture by its `invoke` calls. */
function parseJudging(c: YamlFile, e: Entries, kind: FixtureKind | undefined, offset: number) {
  let expect: CommandExpectation | null = null;
  let invoke: InvokeCall[] = [];
  if (kind === "command") {
    expect = parseExpect(c, e.get("expect"), offset) ?? null;
    if (e.has("invoke"))
      c.fieldProblem(e.get("invoke"), "invoke", "a command fixture is judged by expect, not invoke calls");
  } else if (kind === "invoke") {
    invoke = parseInvoke(c, e.get("invoke"), offset);
    if (e.has("expect"))
      c.fieldProblem(e.get("expect"), "expect", "an invoke fixture is judged by its invoke calls, not expect");
  }
  return { expect, invoke };
}

/** Reads one entry of `fixtures:`, recording every problem; the fixture when its required fields hold. */
export function parseFixture(x: EntryContext, m: YAMLMap): Fixture | undefined {
  const { c } = x;
  const offset = m.range?.[0] ?? 0;
  const line = c.line(m);
  const name = parseName(x, m, offset, line);
  const e = c.entries(m, FIXTURE_FIELDS, "");
  const kind = c.oneOf(e.get("kind"), "kind", offset, KINDS);
  const summary = c.string(e.get("summary"), "summary", offset, { nonEmpty: true });
  const build = c.oneOf(e.get("build"), "build", offset, RECIPES);
  const { relFile, file, sha } = parseFile(x, e, offset);
  const { sources, sourcePaths } = parseSources(x, e, m, build, relFile);
  const { args, env, stdin } = parseInputs(c, e, kind, offset);
  const { expect, invoke } = parseJudging(c, e, kind, offset);
  const meld = parseMeld(c, e.get("meld"), offset);
  const reference = e.has("reference") ? parseReference(c, e.get("reference"), offset) : undefined;
  if (!(name && kind && summary && build && relFile && file && meld && (kind === "invoke" || expect))) return undefined;
  const { core: meldCore, ...byMode } = meld;
  return {
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
  };
}
