/**
 * lock — one run per output folder at a time (README, Troubleshooting, rule 4): a run takes `.seam.lock` in
 * its --out before it writes or removes anything there, and a second run on the same folder stops with one
 * line naming the holder's pid (exit 2) instead of racing it and deleting its bundles. A lock whose process
 * is gone (a run killed with SIGKILL) is stale: it is taken over, and the caller says so.
 * Used by scripts/tier-c.ts and scripts/all.ts (their --out folders).
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { SeamError, EXIT } from "./errors.ts";

export const LOCK_FILE = ".seam.lock";

export interface OutLock {
  path: string;
  /** The pid of a stale lock this run took over, if it did. */
  tookOverFrom?: number;
  release: () => void;
}

/** Whether a process with this pid is alive (EPERM: alive, but not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates the lock file holding our pid; false when it already exists. */
function create(path: string): boolean {
  try {
    const fd = openSync(path, "wx");
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock of `dir` (made if missing) for this process, released when it exits. Throws a one-line
 * usage error (exit 2) when a live process holds it; re-entrant within one process (all.ts → tier-c). */
export function lockOut(dir: string, flag = "--out"): OutLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  let tookOverFrom: number | undefined;
  for (let attempt = 0; !create(path); attempt++) {
    const pid = holder(path);
    if (pid === process.pid) return { path, release: () => {} };
    if (pid !== undefined && pidAlive(pid))
      throw new SeamError(`${dir} is in use by another seam run (pid ${pid})`, {
        hint: `wait for it to end, or give this run another ${flag}`,
        exitCode: EXIT.usage,
      });
    if (attempt > 0) throw new SeamError(`${path}: cannot take the lock over (another run is taking it too)`);
    tookOverFrom = pid ?? 0;
    rmSync(path, { force: true }); // stale: its process is gone
  }
  const release = () => {
    if (holder(path) === process.pid) rmSync(path, { force: true });
  };
  process.once("exit", release);
  return { path, ...(tookOverFrom !== undefined ? { tookOverFrom } : {}), release };
}
