#!/usr/bin/env bun
/**
 * bench-ls-gate — measures ls-gate's one cargo run against upstream's one-run-per-ID gate on a generated
 * crate (60 approved IDs, about 3 tests each, a few slow), next to a single plain `cargo test`, and checks
 * that both gates put every ID in the same bucket (ls-gate under --compat).
 * The benchmark itself: lib/lsgate/bench.ts (scripts/bench.ts runs it too); this file is its CLI.
 * Called by: people changing ls-gate.ts; the numbers go into the issue-6 note. Not part of CI (it takes
 * about a minute on 2 cores).
 * Usage: bun scripts/bench-ls-gate.ts [--ids N] [--reps N] [--slow-ms MS] [--keep] [--json]
 * Exit: 0 buckets identical, 1 buckets differ, 2 usage error, 3 cargo missing
 */
import { EXIT } from "./lib/core/errors.ts";
import { parseCli, positiveInt, progress, runCli } from "./lib/core/cli.ts";
import { benchLsGate, renderBench } from "./lib/lsgate/bench.ts";
import { jsonText } from "./lib/core/render.ts";

const HELP = `Usage: bun scripts/bench-ls-gate.ts [--ids N] [--reps N] [--slow-ms MS] [--keep] [--json]
Exit: 0 buckets identical, 1 buckets differ, 2 usage error, 3 cargo missing
`;

async function main(argv: string[]): Promise<number> {
  const { values: v } = parseCli(
    argv,
    {
      ids: { type: "string", default: "60" },
      reps: { type: "string", default: "3" },
      "slow-ms": { type: "string", default: "500" },
      keep: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    false,
  );
  if (v.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const r = await benchLsGate({
    ids: positiveInt("--ids", v.ids),
    reps: positiveInt("--reps", v.reps),
    slowMs: positiveInt("--slow-ms", v["slow-ms"]),
    keep: v.keep,
    log: progress,
  });
  process.stdout.write(v.json ? jsonText(r) : renderBench(r));
  return r.identical ? EXIT.ok : EXIT.fail;
}

if (import.meta.main) process.exitCode = await runCli("bench-ls-gate", main);
