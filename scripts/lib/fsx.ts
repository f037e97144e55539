/**
 * fsx — files: atomic writes (temp + rename, so a reader never sees half a result), sha256, small helpers.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync, readFileSync, existsSync, statSync } from "node:fs";
import { dirname, basename, isAbsolute, join, relative, resolve } from "node:path";
import { SeamError } from "./errors.ts";

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/** Writes `data` to `path` via a temp file in the same folder and a rename; on failure nothing is left. */
export function atomicWrite(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new SeamError(`cannot write ${path}: ${code || (err as Error).message}`, {
      hint: "choose a writable output path",
      exitCode: 2,
    });
  }
}

/** A path as a reader wants it: relative to `from` when inside it, else absolute. */
export function shownPath(path: string, from = process.cwd()): string {
  const rel = relative(from, resolve(path));
  return !rel || rel.startsWith("..") || isAbsolute(rel) ? resolve(path) : rel;
}

export function atomicWriteJson(path: string, value: unknown): void {
  atomicWrite(path, JSON.stringify(value, null, 2) + "\n");
}

/** Throws a one-line SeamError unless `path` is a readable regular file. */
export function requireFile(path: string, what = "file"): void {
  if (!existsSync(path)) throw new SeamError(`${what} not found: ${path}`, { hint: "check the path", exitCode: 2 });
  if (!statSync(path).isFile()) throw new SeamError(`${what} is not a regular file: ${path}`, { exitCode: 2 });
}

/**
 * Throws unless `path` can be written as a file: not an existing folder, and its folder can take a new file
 * (checked before a tool runs, so it never writes in vain). Missing folders are created, unless
 * `leaveNothing`: then the folders made for the probe are removed again, so a usage error found after the
 * check leaves no empty output folder behind (the write itself creates them).
 */
export function requireWritableDir(path: string, opts: { leaveNothing?: boolean } = {}): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new SeamError(`cannot write ${path}: it is a folder`, { hint: "give a file path for the output", exitCode: 2 });
  }
  const dir = dirname(path);
  const probe = join(dir, `.seam-probe-${process.pid}-${randomBytes(3).toString("hex")}`);
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (err) {
    let code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    let up = dir;
    while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
    if (existsSync(up) && !statSync(up).isDirectory()) code = `${up} is a file, not a folder`;
    throw new SeamError(`cannot write to ${dir}: ${code}`, { hint: "choose a writable output path", exitCode: 2 });
  } finally {
    if (created && opts.leaveNothing) rmSync(created, { recursive: true, force: true });
  }
}
