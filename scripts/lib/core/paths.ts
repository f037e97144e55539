/**
 * paths — where seam itself is: the project root, found from this file, never from the caller's cwd.
 */
import { resolve } from "node:path";

/** The project root (scripts/lib/core/../../..). */
export const ROOT = resolve(import.meta.dir, "..", "..", "..");
