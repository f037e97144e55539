/**
 * preload — what every test file gets before it runs (bunfig.toml `[test] preload`), for tests only:
 * - a default timeout per test (bun 1.4.5 ignores bunfig's `[test] timeout`); it holds for the first test
 *   file of a run only, so each file whose tests run subprocesses also calls setDefaultTimeout itself;
 * - the removal, when the run ends, of every folder testkit's tempDir made, so a passing run leaves
 *   nothing in TMPDIR (README: tests clean up after themselves; scripts/faults.test.ts checks it).
 */
import { afterAll, setDefaultTimeout } from "bun:test";
import { removeTempDirs } from "./testkit.ts";

/** Long enough for the slowest real-tool test (a jco transpile under load), short of hanging CI. */
export const TEST_TIMEOUT_MS = 300_000;

setDefaultTimeout(TEST_TIMEOUT_MS);
afterAll(removeTempDirs);
