/**
 * read-file — reading a file someone named (a report, a body file, the Actions event payload): its text,
 * or null when there is none; a folder or an unreadable file is one usage line naming what it was.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { SeamError, usageError } from "./errors.ts";

/** A file's text, or null when there is none; a folder or an unreadable file is one usage line naming `what`. */
export function readIfPresent(path: string, what: string): string | null {
  if (!existsSync(path)) return null;
  try {
    if (!statSync(path).isFile()) throw usageError(`${what} ${path} is not a regular file`, "pass a file");
    return readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof SeamError) throw err;
    throw usageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      "check the file's permissions",
    );
  }
}
