/**
 * A bad-input case, as a row: the command (script, arguments, environment), the exit code, a pattern for
 * the first stderr line, and the promise that no file changes and none is left behind. The rows live
 * beside this file, by class; scripts/testing/bad-inputs.ts runs them.
 *
 * In arguments and environment values: `@fixtures/X` is the sandbox's fixtures/X, `@root` its root, `@meld`
 * the real meld binary (a program that is not kilnd), `@fake-kilnd` the kilnd test double. Relative paths
 * are relative to the case's own folder, which holds KIT (scripts/testing/bad-inputs.ts) plus the row's
 * `files`.
 */

export type CaseClass =
  | "unknown flag"
  | "missing value"
  | "missing file"
  | "not wasm, empty or truncated"
  | "nothing to run"
  | "output is an input"
  | "output is a folder or unwritable"
  | "bad enum value"
  | "bad number"
  | "duplicate list item"
  | "tool variable names nothing"
  | "tool variable names another program"
  | "tool absent"
  | "malformed YAML or manifest"
  | "malformed JSON or not results"
  | "conflicting or misplaced flags";

export interface BadInput {
  class: CaseClass;
  /** The script under scripts/, then its arguments. */
  cmd: string[];
  env?: Record<string, string | undefined>;
  /** Extra files of the case's folder, as in KIT. */
  files?: Record<string, FileSpec>;
  exit: number;
  /** The first stderr line, without the `<script>: error: ` prefix. */
  first: RegExp;
  /** stdout may carry output (tools.ts prints its report before the error line); default: must be empty. */
  stdoutAllowed?: boolean;
  /** How many stderr lines at most (default 2: the error and its hint). */
  maxLines?: number;
  /** A first run may fill a content-addressed cache (jco's transpile of a component); the second run,
   * the one checked, must change nothing. */
  warm?: boolean;
  /** A row of the README's troubleshooting table: the fix in words, when the hint alone does not say it. */
  doc?: true | string;
}

/** What every case folder holds before its command runs. */
export type FileSpec = string | { copy: string } | { bytes: number[] } | { dir: true };

export const MANIFEST_HEAD = "schema: seam.fixtures/1\nfixtures:\n";
export const ONE_LEDGER = (fixture: string) =>
  `blockers:\n  - ref: kiln#1\n    title: t\n    signature: { code: E0BBB }\n    fixtures: [${fixture}]\n`;

/** A compact row. */
export function c(cls: CaseClass, cmd: string[], exit: number, first: RegExp, more: Partial<BadInput> = {}): BadInput {
  return { class: cls, cmd, exit, first, ...more };
}

export const NO_KILND = { KILND: undefined, MELD_KILND: undefined };
