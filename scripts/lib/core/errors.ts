/**
 * errors — the one error type seam's core functions throw.
 * A SeamError carries a hint (how to fix it) and the exit code a CLI should end with.
 */

/** Exit codes shared by every script: 0 ok, 1 verdict/failure, 2 usage or bad input, 3 tool missing. */
export const EXIT = { ok: 0, fail: 1, usage: 2, missingTool: 3 } as const;

export class SeamError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, opts: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = "SeamError";
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? EXIT.usage;
  }
}

/** A usage/bad-input error (exit 2). */
export function usageError(message: string, hint?: string): SeamError {
  return new SeamError(message, { hint, exitCode: EXIT.usage });
}
