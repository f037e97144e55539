#!/usr/bin/env bun
/**
 * fuse — fuses component(s) with real meld and records what ran: meld's path and version, the exact
 * command line, input/output sha256 and sizes, and the time it took. The core is lib/engines/fuse.ts;
 * this file is its command line.
 * Called by: scripts/all.ts's fuse step does the same (it calls the core), people reproducing a fusion.
 * Usage: bun scripts/fuse.ts <component.wasm>... -o <out.wasm> [--memory multi|shared]
 *          [--component|--core] [--meld PATH] [--json] [-- <extra meld args>]
 * Exit: 0 fused; 1 meld crashed; 2 usage error or bad input; 3 meld missing or not meld; 4 meld refused the input
 */
import { resolve } from "node:path";
import { enumValue, parseCli, runCli, splitPassthrough } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { atomicWriteJson, checkOutputs, type OutputPath } from "./lib/core/fsx.ts";
import { checkTool } from "./lib/tools/identity.ts";
import { MEMORY_MODES, type FuseRecord, type FuseVerdict } from "./lib/engines/records.ts";
import { checkInputs, fuse, FUSE_DEFAULTS, fuseInputPaths, type FuseOptions } from "./lib/engines/fuse.ts";
import { jsonText } from "./lib/core/render.ts";

const HELP = `fuse — fuse component(s) with real meld and record what ran

Usage: bun scripts/fuse.ts <component.wasm>... -o <out.wasm> [options] [-- <extra meld args>]
  -o, --output FILE     fused output (written only when meld succeeds and it parses); neither it nor
                        its record (FILE.json) may be an input, and it is a file, not a folder
  --memory multi|shared meld's memory strategy (default ${FUSE_DEFAULTS.memory}, as upstream's Tier C)
  --component | --core  output a P2 component (default) or a core module
  --meld PATH           meld binary (else $MELD, .tools/bin/meld, PATH, ../meld/target/*/meld)
  --json                print the record on stdout instead of writing <out>.json
The record: meld path and version, the command as one shell line, sha256 and size of every input and
the output, milliseconds, and the verdict: fused | refused (meld declined the input; its own error
line is kept; upstream treats this as a skip) | crashed (signal, panic) | missing-tool | fault (meld
did not finish: the timeout or an interruption ended it; no verdict on meld).

Exit: 0 fused; 1 meld crashed; 2 usage error or bad input; 3 meld missing, or MELD/--meld names
      nothing or a program that does not say \`meld X.Y.Z\` to --version; 4 meld refused the input;
      5 fault: meld did not finish (timeout), no verdict`;

/** fuse's own exit code beyond EXIT's. */
const FUSE_EXIT = { refused: 4, fault: 5 } as const;

const EXIT_FOR: Record<FuseVerdict, number> = {
  fused: EXIT.ok,
  crashed: EXIT.fail,
  "missing-tool": EXIT.missingTool,
  refused: FUSE_EXIT.refused,
  fault: FUSE_EXIT.fault,
};

function parseFuseFlags(argv: string[]) {
  const [own, extra] = splitPassthrough(argv);
  const parsed = parseCli(own, {
    output: { type: "string", short: "o" },
    memory: { type: "string", default: FUSE_DEFAULTS.memory },
    component: { type: "boolean", default: false },
    core: { type: "boolean", default: false },
    meld: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  return { ...parsed, extra };
}

/** The fusion the flags ask for. Every input, then every output: bad input is found before anything runs
 * or is made (the tool comes after). */
function fuseOptions({
  values,
  positionals,
  extra,
}: ReturnType<typeof parseFuseFlags>): FuseOptions & { output: string } {
  if (!values.output) throw usageError("missing -o <out.wasm>", "bun scripts/fuse.ts app.wasm -o fused.wasm");
  const memory = enumValue("--memory", values.memory, MEMORY_MODES);
  if (values.component && values.core)
    throw usageError(
      "--component and --core exclude each other",
      "pick one: --component (meld's P2 component, the default) or --core (a core module)",
    );
  checkInputs(positionals);
  const outputs: OutputPath[] = [
    ["-o", values.output],
    ...(values.json ? [] : [["the record (-o's name + .json)", `${values.output}.json`] as OutputPath]),
  ];
  checkOutputs(fuseInputPaths(positionals), outputs);
  const mode = values.core ? "core" : "component";
  return { inputs: positionals, output: values.output, memory, mode, extraArgs: extra, meld: values.meld };
}

/** The one line a person reads on stdout: the output made, or why not. */
function fuseSummary(rec: FuseRecord): string {
  const what =
    rec.verdict === "fused"
      ? `${rec.output!.path} (${rec.output!.bytes} bytes, sha256 ${rec.output!.sha256.slice(0, 12)})`
      : rec.message;
  return `${rec.verdict}: ${what}\n`;
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFuseFlags(argv);
  if (flags.values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const o = fuseOptions(flags);
  const meld = (await checkTool("meld", { flag: o.meld, required: true })).found!;
  const rec = await fuse({ ...o, tool: meld });
  if (flags.values.json) process.stdout.write(jsonText(rec));
  else {
    atomicWriteJson(`${resolve(o.output)}.json`, rec);
    process.stdout.write(fuseSummary(rec));
  }
  process.stderr.write(`$ ${rec.command}\n${rec.verdict} by meld ${rec.meld?.version} in ${rec.ms} ms\n`);
  if (rec.verdict !== "fused")
    throw new SeamError(`meld ${rec.verdict === "refused" ? "refused the input" : "crashed"}: ${rec.message}`, {
      exitCode: EXIT_FOR[rec.verdict],
    });
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("fuse", main);
