#!/usr/bin/env bun
/**
 * troubleshooting — the README's troubleshooting table, generated from seam's bad-input suite
 * (scripts/testing/bad-inputs.ts, its rows in scripts/testing/bad-inputs/): it runs the documented cases in
 * a sandbox copy of seam, as the suite does, and renders what they really print. scripts/bad-input.test.ts fails while README.md differs from it.
 * Called by: people who add or change a documented bad-input case, or a message one of them prints.
 * Usage: bun scripts/troubleshooting.ts [--write | --check]
 * Exit: 0 printed, written or up to date; 1 README.md differs (--check) or a documented case does not hold;
 *       2 usage error
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseCli, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { atomicWrite } from "./lib/core/fsx.ts";
import {
  BAD_INPUTS,
  commandLine,
  makeSandbox,
  README_END,
  README_START,
  renderTroubleshooting,
  runCase,
} from "./testing/bad-inputs.ts";
import { ROOT } from "./lib/core/paths.ts";

const README = join(ROOT, "README.md");

/** Puts `section` (marker to marker) into the README text in place of the one there. */
export function spliceSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start)
    throw new SeamError(`README.md has no troubleshooting markers`, {
      hint: `put the lines ${README_START} and ${README_END} where the table belongs`,
      exitCode: EXIT.fail,
    });
  return readme.slice(0, start) + section + readme.slice(end + README_END.length);
}

/** Runs the documented cases and renders the table; a case that does not hold is an error. */
export async function generate(onProgress?: (line: string) => void): Promise<string> {
  const sandbox = await makeSandbox();
  try {
    const docs = [];
    for (const [i, row] of BAD_INPUTS.entries()) {
      if (!row.doc) continue;
      const r = await runCase(sandbox, row, `doc-${i}`);
      onProgress?.(`${r.problems.length ? "FAILS" : "ok   "} ${commandLine(row)}`);
      if (r.problems.length)
        throw new SeamError(`a documented case does not hold: ${commandLine(row)}: ${r.problems[0]}`, {
          hint: "run `npx bun test scripts/bad-input.test.ts` and fix the case or the script",
          exitCode: EXIT.fail,
        });
      docs.push({ row, seen: r.observed });
    }
    return renderTroubleshooting(docs);
  } finally {
    rmSync(sandbox.dir, { recursive: true, force: true });
  }
}

const HELP = `troubleshooting — the README's troubleshooting table, generated from the bad-input suite

Usage: bun scripts/troubleshooting.ts [--write | --check]
  (no flag)  print the table
  --write    put it into README.md between its markers
  --check    exit 1 if README.md's table differs

Exit: 0 printed, written or up to date; 1 README.md differs (--check) or a documented case does not hold;
      2 usage error`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseCli(
    argv,
    {
      write: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (values.write && values.check) throw usageError("--write and --check exclude each other", "pick one");
  const section = await generate((l) => progress(l));
  if (!values.write && !values.check) {
    process.stdout.write(section + "\n");
    return EXIT.ok;
  }
  const readme = readFileSync(README, "utf8");
  const next = spliceSection(readme, section);
  if (values.check) {
    if (next === readme) return EXIT.ok;
    throw new SeamError("README.md's troubleshooting table differs from what the bad-input cases print", {
      hint: "run `npx bun scripts/troubleshooting.ts --write`",
      exitCode: EXIT.fail,
    });
  }
  if (next !== readme) atomicWrite(README, next);
  progress(next === readme ? "README.md is up to date" : "wrote README.md's troubleshooting table");
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("troubleshooting", main);
