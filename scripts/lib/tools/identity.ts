/**
 * identity — a program found under a tool's name must answer like that tool (`meld --version`, kilnd's
 * --help), or it is an error (exit 3), never a run whose every cell reads "unsupported" under a green
 * headline. Three words, one job each: lookupTool (lib/tools/lookup.ts) finds a tool without running it;
 * identifyTool asks it who it is (once per binary, remembered); checkTool is a main's check before
 * anything runs, both together, failures as errors. Each main checks its tools once (a matrix run once
 * per build); the cores (lib/engines/fuse.ts, run.ts) then take the tool as found and do not ask again.
 * Used by: every script's main, lib/tierc/plan.ts and cells.ts, lib/tools/report.ts, lib/lsgate/runners.ts (cargo).
 */
import { join } from "node:path";
import { EXIT, SeamError } from "../core/errors.ts";
import { runProcess, type Env } from "../core/proc.ts";
import {
  explicitChoiceHint,
  lookupTool,
  memoByBinary,
  missingToolError,
  TOOL_SPECS,
  type FoundTool,
  type ToolLookup,
  type ToolName,
} from "./lookup.ts";
import { ROOT } from "../core/paths.ts";

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

/** What a program said when asked who it is: the tool, or not (and its answer, as a reader can take it in). */
export type ToolAnswer = { ok: true } | { ok: false; answer: string };

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
export function identifyTool(tool: FoundTool, memoFile = IDENTITY_MEMO): Promise<ToolAnswer> {
  return identifyBinary(tool.path, { ...IDENTITY[tool.name], as: tool.name }, memoFile);
}

/** identifyTool for any program (cargo, which seam does not look up like the others): `path` must give
 * an answer `answers` accepts to `args`. Remembered the same way. */
export function identifyBinary(
  path: string,
  id: Pick<(typeof IDENTITY)[ToolName], "args" | "answers"> & { as: string },
  memoFile = IDENTITY_MEMO,
): Promise<ToolAnswer> {
  return memoByBinary(
    memoFile,
    path,
    async (): Promise<ToolAnswer> => {
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
function origin(tool: FoundTool, env: Env): { text: string; chosenBy?: string } {
  if (tool.source.startsWith("env ")) {
    const v = tool.source.slice(4);
    return { text: `${v}=${env[v] ?? tool.path}`, chosenBy: v };
  }
  if (tool.source.startsWith("--")) return { text: `${tool.source} ${tool.path}`, chosenBy: tool.source };
  return { text: `${tool.path} (found via ${tool.source})` };
}

/** Throws (exit 3) unless the tool answers like itself; the message names the variable or flag that chose it. */
export async function checkIdentity(tool: FoundTool, env: Env = process.env): Promise<FoundTool> {
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
 * is an error too with `required`; otherwise the lookup comes back without `found`, for the caller to skip.
 */
export async function checkTool(
  name: ToolName,
  opts: Parameters<typeof lookupTool>[1] & { required?: boolean } = {},
): Promise<ToolLookup> {
  const l = lookupTool(name, opts);
  if (l.problem || (opts.required && !l.found)) throw missingToolError(l);
  if (l.found) await checkIdentity(l.found, opts.env ?? process.env);
  return l;
}

/** checkTool for every tool a run may use, with the explicit binaries its flags name (`--kilnd`, `--meld`). */
export async function checkTools(
  flags: Partial<Record<ToolName, string>> = {},
  env: Env = process.env,
): Promise<Record<ToolName, ToolLookup>> {
  const names = Object.keys(TOOL_SPECS) as ToolName[];
  const lookups = await Promise.all(names.map((n) => checkTool(n, { flag: flags[n], env })));
  return Object.fromEntries(names.map((n, i) => [n, lookups[i]!])) as Record<ToolName, ToolLookup>;
}
