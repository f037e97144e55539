/**
 * bun-test — reads one `bun test --reporter=junit` run: bun's stderr summary and its JUnit report,
 * judged together, because bun leaves some failures out of the report (a test file that fails to load, a
 * test that calls process.exit). Pure. Used by lib/lsgate/runners.ts.
 */
import { relative } from "node:path";
import type { ProcResult } from "../core/proc.ts";
import { parseJUnit } from "./junit.ts";
import { lastLines, stripAnsi, type ReadTest, type RunnerOutput } from "./libtest.ts";

export interface BunSummary {
  ran?: number;
  fail?: number;
  errors: number;
  unhandled: boolean;
  /** For each `# Unhandled error between tests`, the test file it came from (its stack frame in the
   * project, else bun's last `path:` header line). */
  unhandledIn: string[];
}

/** The summary bun test prints on stderr (` 3 pass`, ` 1 fail`, ` 2 errors`, `Ran 9 tests across 4 files.`). */
export function parseBunSummary(stderr: string, project?: string): BunSummary {
  const text = stripAnsi(stderr);
  // The summary is the run's last output: take the last match, so a test's own output cannot pose as it.
  const num = (re: RegExp) => {
    const all = [...text.matchAll(re)];
    const m = all[all.length - 1];
    return m ? Number(m[1]) : undefined;
  };
  return {
    ran: num(/^Ran (\d+) tests? across \d+ files?\b/gm),
    fail: num(/^\s*(\d+) fail\s*$/gm),
    errors: num(/^\s*(\d+) errors?\s*$/gm) ?? 0,
    unhandled: /^# Unhandled error between tests\s*$/m.test(text),
    unhandledIn: unhandledFiles(text, project),
  };
}

/** The file of each `# Unhandled error between tests`: the first stack frame in the project that the error
 * names, else the `path:` header bun printed last. Under --parallel the headers of several files interleave,
 * so the header alone can name the wrong file; the frame cannot. */
function unhandledFiles(text: string, project?: string): string[] {
  const files: string[] = [];
  let file = "";
  let open = -1; // the entry whose frame is still wanted
  for (const line of text.split(/\r?\n/)) {
    const header = line.match(/^(\S.*\.[cm]?[jt]sx?):$/);
    const frame = project && open >= 0 ? line.match(/\bat (\/\S+?\.[cm]?[jt]sx?):\d+:\d+/) : null;
    if (header) ((file = header[1]!), (open = -1));
    else if (/^# Unhandled error between tests\s*$/.test(line)) open = files.push(file || "(unknown file)") - 1;
    else if (frame && frame[1]!.startsWith(`${project}/`)) ((files[open] = relative(project!, frame[1]!)), (open = -1));
  }
  return files;
}

/**
 * Judges one `bun test --reporter=junit` run. bun 1.4.5 leaves a test file that fails to load out of its
 * JUnit report (it only prints `# Unhandled error between tests`), and a test that calls process.exit(0)
 * ends the run with status 0, no summary and no report: both must fail the gate.
 */
export function judgeBunRun(
  r: Pick<ProcResult, "code" | "signal" | "stderr">,
  xml: string | undefined,
  source: string,
  /** The folder bun ran in: an unhandled error is placed by its stack frame in it. */
  project?: string,
): RunnerOutput {
  const detail = () => lastLines(r.stderr, 12);
  if (r.signal) return { tests: [], error: { message: `bun test was killed by ${r.signal}`, detail: detail() } };
  if (xml === undefined) {
    return {
      tests: [],
      error: {
        message: `bun test (exit status ${r.code}) wrote no JUnit report: it did not finish (a test called process.exit, or bun crashed)`,
        detail: detail(),
      },
    };
  }
  let tests: ReadTest[];
  try {
    tests = parseJUnit(xml, source);
  } catch (err) {
    return { tests: [], error: { message: (err as Error).message, detail: [] } };
  }
  const summary = parseBunSummary(r.stderr, project);
  const failed = tests.filter((t) => t.outcome === "failed").length;
  const error = (message: string, lines = detail()): RunnerOutput => ({ tests, error: { message, detail: lines } });
  // With --parallel, a worker that exits mid-file (process.exit, a crash) is one "(worker crashed)" entry
  // and the rest of that file is absent: no result is safe, as when a serial run writes no report.
  const crashed = tests.filter((t) => t.name === "(worker crashed)").map((t) => t.binary ?? "(unknown file)");
  if (crashed.length)
    return error(
      `bun test's worker crashed in ${crashed.join(", ")} before reporting its results (a test called process.exit, or bun crashed)`,
    );
  if (summary.errors > 0 || summary.unhandled) {
    // Either a file failed to load (its tests are absent from the report) or an error escaped a test that
    // had already finished or timed out (it may belong to a test reported as passed): no result is safe.
    const ran = new Set(tests.map((t) => t.binary));
    const where = [...new Set(summary.unhandledIn)].map((f) => `${f}${ran.has(f) ? "" : " (did not load)"}`);
    const n = summary.errors || summary.unhandledIn.length;
    return error(
      `bun test reported ${n} unhandled error${n === 1 ? "" : "s"} outside any test${where.length ? ` in ${where.join(", ")}` : ""}`,
      unhandledDetail(r.stderr),
    );
  }
  if (summary.ran === undefined)
    return error(`bun test (exit status ${r.code}) ended without its summary line: the run did not finish`);
  if (summary.fail !== undefined && summary.fail > failed) {
    return error(`bun test counted ${summary.fail} failures but its JUnit report holds ${failed}`);
  }
  if (r.code !== 0 && failed === 0) return error(`bun test exited with status ${r.code} but no test failed`);
  if (tests.length === 0) return error("bun test ran no tests");
  return { tests };
}

function unhandledDetail(stderr: string): string[] {
  const lines = stripAnsi(stderr).split(/\r?\n/);
  const at = lines.findIndex((l) => /^# Unhandled error between tests/.test(l));
  return (at < 0 ? lastLines(stderr, 12) : lines.slice(Math.max(0, at - 2), at + 10)).filter((l) => l.trim() !== "");
}
