/**
 * A bad-input case, and its text form. The cases live in scripts/testing/bad-inputs.yaml, one list per
 * class: the command as a user types it, the exit code, and the blessed stderr (what the case printed when
 * it was last blessed by `bun scripts/troubleshooting.ts --bless`). This module reads that file and writes
 * it back in the one form --bless writes: every string quoted the way prettier quotes it, so a blessed
 * file passes `prettier --check`. scripts/testing/bad-inputs.ts runs the cases.
 */
import { parse } from "yaml";
import { SeamError } from "../../lib/core/errors.ts";
import { shellQuote, shellWords } from "../../lib/core/proc.ts";

/** The classes, in the order of the data file and the README's table. */
export const CLASSES = [
  "unknown flag",
  "missing value",
  "missing file",
  "not wasm, empty or truncated",
  "nothing to run",
  "output is an input",
  "output is a folder or unwritable",
  "bad enum value",
  "bad number",
  "duplicate list item",
  "tool variable names nothing",
  "tool variable names another program",
  "tool absent",
  "malformed YAML or manifest",
  "malformed JSON or not results",
  "conflicting or misplaced flags",
] as const;
export type CaseClass = (typeof CLASSES)[number];

export interface BadInput {
  class: CaseClass;
  /** The script under scripts/, then its arguments. */
  cmd: string[];
  /** Variables set (a string) or unset (undefined) for the case, over the sandbox's cleared ones. */
  env?: Record<string, string | undefined>;
  /** Extra files of the case's folder, as in KIT. */
  files?: Record<string, FileSpec>;
  exit: number;
  /** stderr, line by line, as blessed: paths as the harness shows them, `[..]` any text within a line. */
  stderr: string[];
  /** stdout may carry output (tools.ts prints its report before the error line); default: must be empty. */
  stdoutAllowed?: boolean;
  /** How many stderr lines at most (default 2: the error and its hint). */
  maxLines?: number;
  /** A first run may fill a content-addressed cache (jco's transpile of a component); the second run,
   * the one checked, must change nothing. */
  warm?: boolean;
  /** A row of the README's troubleshooting table: the fix in words, when the hint alone does not say it. */
  doc?: true | string;
}

/** What a case folder holds before its command runs: a file's text, a copy of a file of seam
 * (`path:N` keeps its first N bytes), bytes, or a folder. */
export type FileSpec = string | { copy: string } | { bytes: number[] } | { dir: true };

/** The data file's header: what a row says, and the placeholders. */
const HEADER = `# seam's bad-input suite: every case run as a user would, in a sandbox copy of seam, by
# scripts/bad-input.test.ts (the harness: scripts/testing/bad-inputs.ts). Each case must exit with \`exit\`,
# print what \`stderr\` says (the error line and its hint, nothing on stdout), and change no file.
#
# Written back by \`bun scripts/troubleshooting.ts --bless\`, which re-runs every case and records what it
# printed (an expectation that still matches is kept as it is); \`--check\` fails on any difference.
# Comments other than this header are not kept.
#
# A case, one list per class:
#   run             the command line: [VAR=value]... bun scripts/NAME.ts [argument]..., quoted as in sh;
#                   @fixtures/X is the sandbox's fixtures/X, @root its root, @meld the real meld (a
#                   program that is not kilnd), @fake-kilnd the kilnd test double. Relative paths are in
#                   the case's own folder, which holds KIT (scripts/testing/bad-inputs.ts) and \`files\`.
#   exit            the exit code
#   unset           variables removed from the environment (the sandbox already clears the tool ones)
#   files           extra files of the case's folder: text, {copy: PATH[:BYTES]}, {bytes: [...]}, {dir: true}
#   stdout_allowed  stdout may carry output (tools.ts prints its report before the error line)
#   max_lines       at most this many stderr lines (default 2: the error and its hint)
#   warm            run twice; the second run, the one checked, must change nothing (a cache fills first)
#   doc             a row of README.md's troubleshooting table (true, or the fix in words)
#   stderr          what it printed, line by line. The case's folder is shown as ".", the sandbox's copy
#                   of seam as "seam", the sandbox as "$TMP"; [..] matches any text within a line (for
#                   what another machine prints differently, such as coreutils' banners).
`.trimEnd();

/** A case's command line, tokens as written: the `run` of the data file. */
export function runLine(row: BadInput): string {
  const env = Object.entries(row.env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${shellQuote(v)}`]));
  return [...env, "bun", `scripts/${row.cmd[0]}`, ...row.cmd.slice(1).map(shellQuote)].join(" ");
}

/** The script, arguments and variables of a `run` line. */
export function parseRun(line: string): Pick<BadInput, "cmd" | "env"> {
  const words = shellWords(line);
  const env: Record<string, string> = {};
  while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
    const w = words.shift()!;
    env[w.slice(0, w.indexOf("="))] = w.slice(w.indexOf("=") + 1);
  }
  const script = /^scripts\/([a-z0-9-]+\.ts)$/.exec(words[1] ?? "")?.[1];
  if (words[0] !== "bun" || !script) throw new Error(`not "[VAR=value]... bun scripts/NAME.ts …": ${line}`);
  return { cmd: [script, ...words.slice(2)], ...(Object.keys(env).length ? { env } : {}) };
}

/** A string as prettier writes it in YAML: double quotes, single when the text holds a double quote, and
 * JSON's escapes when it holds a backslash or a control character. */
function quoted(s: string): string {
  if (/[\\\x00-\x1f\x7f]/.test(s)) return JSON.stringify(s);
  return s.includes('"') ? `'${s.replace(/'/g, "''")}'` : `"${s}"`;
}

const key = (s: string) => (/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(s) ? s : quoted(s));

function fileSpecYaml(spec: FileSpec): string {
  if (typeof spec === "string") return quoted(spec);
  if ("copy" in spec) return `{ copy: ${quoted(spec.copy)} }`;
  if ("bytes" in spec) return `{ bytes: [${spec.bytes.join(", ")}] }`;
  return "{ dir: true }";
}

/** One case as a list item of its class. */
function caseYaml(row: BadInput): string[] {
  const unset = Object.entries(row.env ?? {}).flatMap(([k, v]) => (v === undefined ? [k] : []));
  const files = Object.entries(row.files ?? {});
  return [
    `  - run: ${quoted(runLine(row))}`,
    `    exit: ${row.exit}`,
    ...(unset.length ? [`    unset: [${unset.join(", ")}]`] : []),
    ...(files.length ? ["    files:", ...files.map(([n, s]) => `      ${key(n)}: ${fileSpecYaml(s)}`)] : []),
    ...(row.stdoutAllowed ? ["    stdout_allowed: true"] : []),
    ...(row.maxLines !== undefined ? [`    max_lines: ${row.maxLines}`] : []),
    ...(row.warm ? ["    warm: true"] : []),
    ...(row.doc !== undefined ? [`    doc: ${row.doc === true ? "true" : quoted(row.doc)}`] : []),
    ...(row.stderr.length ? ["    stderr:", ...row.stderr.map((l) => `      - ${quoted(l)}`)] : ["    stderr: []"]),
  ];
}

/** The data file's text: the header, then each class's cases in the order given. */
export function casesYaml(cases: BadInput[]): string {
  const classes = CLASSES.filter((k) => cases.some((c) => c.class === k));
  const sections = classes.map((k) => [`${k}:`, ...cases.filter((c) => c.class === k).flatMap(caseYaml)].join("\n"));
  return [HEADER, ...sections].join("\n\n") + "\n";
}

type Fields = Record<string, unknown>;

/** Is `v` one of FileSpec's forms. */
function isFileSpec(v: unknown): v is FileSpec {
  if (typeof v === "string") return true;
  if (!v || typeof v !== "object" || Object.keys(v).length !== 1) return false;
  const o = v as Record<string, unknown>;
  return typeof o.copy === "string" || o.dir === true || (Array.isArray(o.bytes) && o.bytes.every(Number.isInteger));
}

/** One list item of the data file as a case; throws on a field that is missing or of the wrong kind. */
function readCase(cls: CaseClass, item: Fields): BadInput {
  const known = ["run", "exit", "unset", "files", "stdout_allowed", "max_lines", "warm", "doc", "stderr"];
  const bad = Object.keys(item).find((k) => !known.includes(k));
  if (bad) throw new Error(`unknown field ${bad} (known: ${known.join(", ")})`);
  const { run, exit, unset = [], files, stdout_allowed, max_lines, warm, doc, stderr } = item;
  if (typeof run !== "string") throw new Error("run: a command line is missing");
  if (!Number.isInteger(exit)) throw new Error("exit: a whole number is missing");
  if (!Array.isArray(stderr) || !stderr.every((l) => typeof l === "string"))
    throw new Error("stderr: a list of lines is missing");
  if (!Array.isArray(unset) || !unset.every((v) => typeof v === "string")) throw new Error("unset: not a list");
  if (files !== undefined && (typeof files !== "object" || !Object.values(files as object).every(isFileSpec)))
    throw new Error("files: not a mapping of names to text, {copy}, {bytes} or {dir: true}");
  const { cmd, env = {} } = parseRun(run);
  const allEnv: Record<string, string | undefined> = { ...env };
  for (const v of unset as string[]) allEnv[v] = undefined;
  return {
    class: cls,
    cmd,
    ...(Object.keys(allEnv).length ? { env: allEnv } : {}),
    ...(files !== undefined ? { files: files as Record<string, FileSpec> } : {}),
    exit: exit as number,
    stderr: stderr as string[],
    ...(stdout_allowed === true ? { stdoutAllowed: true } : {}),
    ...(typeof max_lines === "number" ? { maxLines: max_lines } : {}),
    ...(warm === true ? { warm: true } : {}),
    ...(doc === true || typeof doc === "string" ? { doc } : {}),
  };
}

/** The cases of the data file's text, in its order. */
export function parseCases(text: string, file: string): BadInput[] {
  const root = parse(text) as Record<string, Fields[]> | null;
  const fail = (where: string, message: string) =>
    new SeamError(`${file}: ${where}: ${message}`, { hint: `see the field list at the top of ${file}` });
  if (!root || typeof root !== "object" || Array.isArray(root)) throw fail("the file", "not a mapping of classes");
  return Object.entries(root).flatMap(([cls, items]) => {
    if (!(CLASSES as readonly string[]).includes(cls)) throw fail(cls, `not a class (${CLASSES.join(", ")})`);
    if (!Array.isArray(items)) throw fail(cls, "not a list of cases");
    return items.map((item, n) => {
      try {
        return readCase(cls as CaseClass, item);
      } catch (err) {
        throw fail(`${cls}, case ${n + 1}`, (err as Error).message);
      }
    });
  });
}

/** Does a blessed line match a printed one: equal, or equal with each `[..]` standing for any text. */
export function lineMatches(blessed: string, printed: string): boolean {
  if (!blessed.includes("[..]")) return blessed === printed;
  const pattern = blessed
    .split("[..]")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`).test(printed);
}

/** How printed stderr lines differ from the blessed ones (nothing: they match). */
export function stderrDiff(blessed: string[], printed: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(blessed.length, printed.length); i++) {
    const [b, p] = [blessed[i], printed[i]];
    if (b === undefined) out.push(`stderr line ${i + 1} was not blessed: ${JSON.stringify(p)}`);
    else if (p === undefined) out.push(`stderr line ${i + 1} is missing: blessed ${JSON.stringify(b)}`);
    else if (!lineMatches(b, p)) out.push(`stderr line ${i + 1} is ${JSON.stringify(p)}, blessed ${JSON.stringify(b)}`);
  }
  return out;
}

/** The stderr to record for a case: the blessed lines while they still match (keeping their `[..]`),
 * else what it printed. */
export function blessedStderr(blessed: string[], printed: string[]): string[] {
  return stderrDiff(blessed, printed).length ? printed : blessed;
}
