/**
 * libtest — pure readers of what a test runner left behind, and the shape they all return: the tests
 * read, each with its own outcome, plus a runner error when the output does not add up (a build error, a
 * crash, a missing or malformed report, counts that disagree): never an empty result. They know nothing
 * about what the tests are for. This file reads `cargo test` (libtest) output; lib/lsgate/junit.ts reads JUnit
 * XML (nextest, pytest, …) and lib/lsgate/bun-test.ts a `bun test` run. Used by lib/lsgate/runners.ts.
 */
import type { ProcResult } from "../core/proc.ts";

/** One test as the runner reported it; `match` is the text a name filter is looked for in. */
export interface ReadTest {
  /** The test's full path as the runner names it (`tests::reads_empty`, `outer > inner > reads empty`). */
  name: string;
  /** The test binary or file it ran in (`src/lib.rs`, `tests/integration.rs`, `doctests NAME`, a JUnit suite). */
  binary?: string;
  outcome: "passed" | "failed" | "ignored";
  ms?: number;
  match: string;
}

export interface RunnerError {
  message: string;
  detail: string[];
}

export interface RunnerOutput {
  tests: ReadTest[];
  error?: RunnerError;
}

export const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

/** The first error block of a tool's stderr, for the one-line-plus-detail report. */
export function firstErrorLines(text: string, max = 12): string[] {
  const lines = stripAnsi(text).split(/\r?\n/);
  const at = lines.findIndex((l) => /^(error(\[E\d+\])?:|error\b)/.test(l.trim()));
  const from = at < 0 ? Math.max(0, lines.length - max) : at;
  return lines.slice(from, from + max).filter((l) => l.trim() !== "");
}

/** The last `n` non-blank lines of a tool's output. */
export function lastLines(text: string, n: number): string[] {
  return stripAnsi(text)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .slice(-n);
}

interface LibtestBlock {
  expected: number;
  tests: { name: string; outcome: ReadTest["outcome"] }[];
  result?: { passed: number; failed: number; ignored: number };
}

/** cargo's `Running …` / `Doc-tests …` lines on stderr: the test binaries, in the order they ran. */
function cargoBinaries(stderr: string): string[] {
  const binaries: string[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    const run = line.match(/^\s+Running (?:unittests )?(\S+)(?: \(.*\))?\s*$/);
    const doc = line.match(/^\s+Doc-tests (\S+)\s*$/);
    if (run) binaries.push(run[1]!);
    else if (doc) binaries.push(`doctests ${doc[1]}`);
  }
  return binaries;
}

/** libtest's `running N tests` blocks on stdout, each with its per-test lines and its `test result:` line. */
function libtestBlocks(stdout: string[]): LibtestBlock[] {
  const blocks: LibtestBlock[] = [];
  let open: LibtestBlock | undefined;
  let inFailures = false;
  for (const line of stdout) {
    const start = line.match(/^running (\d+) tests?$/);
    if (start) {
      open = { expected: Number(start[1]), tests: [] };
      blocks.push(open);
      inFailures = false;
      continue;
    }
    if (!open) continue;
    const result = line.match(/^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored;/);
    if (result) {
      open.result = { passed: Number(result[1]), failed: Number(result[2]), ignored: Number(result[3]) };
      open = undefined;
      continue;
    }
    if (line === "failures:" || line === "successes:") inFailures = true;
    if (inFailures) continue; // captured test output lives here and may imitate result lines
    const t = line.match(/^test (.+) \.\.\. (ok|FAILED|ignored)(?:, .*)?$/);
    if (t) {
      const outcome = t[2] === "ok" ? "passed" : t[2] === "FAILED" ? "failed" : "ignored";
      open.tests.push({ name: t[1]!.replace(/ - should panic$/, ""), outcome });
    }
  }
  return blocks;
}

/** Why a block of `binary` cannot be trusted (no `test result:` line, counts that disagree), if it cannot. */
function blockProblem(
  b: LibtestBlock,
  binary: string,
  stderr: string,
): { message: string; detail?: string[] } | undefined {
  if (!b.result) {
    const how = stderr.match(/process didn't exit successfully: .*(\((?:signal|exit status):[^)]*\))\s*$/m)?.[1];
    return { message: `test binary ${binary} died before reporting its results${how ? ` ${how}` : ""}` };
  }
  const read = { passed: 0, failed: 0, ignored: 0 };
  for (const t of b.tests) read[t.outcome]++;
  const { passed, failed, ignored } = b.result;
  if (read.passed !== passed || read.failed !== failed || read.ignored !== ignored || b.tests.length !== b.expected) {
    return {
      message:
        `libtest output of ${binary} does not add up: it reported ${passed} passed, ${failed} failed, ${ignored} ignored of ${b.expected}; ` +
        `the gate read ${read.passed}/${read.failed}/${read.ignored}`,
      detail: [],
    };
  }
}

/**
 * Reads `cargo test` output: libtest's per-test lines on stdout, grouped by `running N tests` blocks,
 * paired in order with cargo's `Running …` / `Doc-tests …` lines on stderr. Anything that does not add
 * up (a build error, a binary that died before its `test result:` line, counts that disagree, a non-zero
 * exit no failed test explains) is a runner error, never an empty result.
 */
export function parseCargoTest(r: Pick<ProcResult, "stdout" | "stderr" | "code" | "signal">): RunnerOutput {
  const stderr = stripAnsi(r.stderr);
  const binaries = cargoBinaries(stderr);
  const blocks = libtestBlocks(stripAnsi(r.stdout).split(/\r?\n/));
  const tests: ReadTest[] = blocks.flatMap((b, i) =>
    b.tests.map((t) => ({ name: t.name, binary: binaries[i], outcome: t.outcome, match: t.name })),
  );
  const fail = (message: string, detail: string[] = firstErrorLines(stderr)): RunnerOutput => ({
    tests,
    error: { message, detail },
  });

  if (r.signal) return fail(`cargo test was killed by ${r.signal}`);
  if (blocks.length === 0 && r.code !== 0) {
    const detail = firstErrorLines(stderr);
    const why = detail[0]?.replace(/^error(\[E\d+\])?:\s*/, "") ?? `exit status ${r.code}`;
    return fail(`cargo test did not build or run: ${why}`, detail);
  }
  if (blocks.length !== binaries.length) {
    return fail(
      `cannot tell which test binary printed which results (${binaries.length} binaries started, ${blocks.length} libtest reports; a \`harness = false\` target?)`,
    );
  }
  for (const [i, b] of blocks.entries()) {
    const problem = blockProblem(b, binaries[i]!, stderr);
    if (problem) return fail(problem.message, problem.detail);
  }
  if (r.code !== 0 && !tests.some((t) => t.outcome === "failed")) {
    return fail(`cargo test exited with status ${r.code} but no test failed`);
  }
  return { tests };
}
