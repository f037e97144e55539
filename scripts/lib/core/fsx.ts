/**
 * fsx — files: atomic writes (temp + rename, so a reader never sees half a result), sha256, small helpers.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
  readFileSync,
  existsSync,
  statSync,
  realpathSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, basename, isAbsolute, join, relative, resolve } from "node:path";
import { EXIT, SeamError, usageError } from "./errors.ts";
import { jsonText } from "./render.ts";

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

// ---------------------------------------------------------------------------------------------------
// Temp files: every one seam creates is registered while it exists, so an interrupted or failed run
// (lib/core/cli.ts runCli: SIGINT, SIGTERM, exit) removes it instead of leaving it behind.

const temps = new Set<string>();

/** Registers a temp file or folder for removal on interruption; call the returned function once it is gone
 * or renamed into place. */
export function trackTemp(path: string): () => void {
  temps.add(path);
  return () => void temps.delete(path);
}

/** Stops tracking a temp path (it was renamed into place or removed). */
export function forgetTemp(path: string): void {
  temps.delete(path);
}

/** A fresh folder in the system's temp folder, registered for removal on interruption; `removeTemp` it. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  trackTemp(dir);
  return dir;
}

/** Removes a temp file or folder and stops tracking it. */
export function removeTemp(path: string): void {
  rmSync(path, { recursive: true, force: true });
  temps.delete(path);
}

/** Removes every registered temp file and folder (synchronously: it runs in signal and exit handlers). */
export function removeTrackedTemps(): void {
  for (const p of temps) rmSync(p, { recursive: true, force: true });
  temps.clear();
}

/** Writes `data` to `path` via a temp file in the same folder and a rename; on failure nothing is left.
 * `mode` (0o755 for a program) is set on the temp file, so the file never appears without it. */
export function atomicWrite(path: string, data: string | Uint8Array, mode?: number): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const untrack = trackTemp(tmp);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new SeamError(`cannot write ${path}: ${code || (err as Error).message}`, {
      hint: "choose a writable output path",
      exitCode: EXIT.usage,
    });
  } finally {
    untrack();
  }
}

/** A path as a reader wants it: relative to `from` when inside it, else absolute. */
export function shownPath(path: string, from = process.cwd()): string {
  const rel = relative(from, resolve(path));
  return !rel || rel.startsWith("..") || isAbsolute(rel) ? resolve(path) : rel;
}

export function atomicWriteJson(path: string, value: unknown): void {
  atomicWrite(path, jsonText(value));
}

/** Throws a one-line SeamError unless `path` is a readable regular file. */
export function requireFile(path: string, what = "file"): void {
  if (path.trim() === "")
    throw new SeamError(`${what} is an empty path`, { hint: `give the ${what} a path`, exitCode: EXIT.usage });
  if (!existsSync(path))
    throw new SeamError(`${what} not found: ${path}`, { hint: "check the path", exitCode: EXIT.usage });
  if (!statSync(path).isFile())
    throw new SeamError(`${what} is not a regular file: ${path}`, {
      hint: `pass a file as the ${what}`,
      exitCode: EXIT.usage,
    });
}

/** Throws a one-line SeamError unless `path` is a folder. */
export function requireFolder(path: string, what = "folder"): void {
  if (path.trim() === "")
    throw new SeamError(`${what} is an empty path`, { hint: `give the ${what} a path`, exitCode: EXIT.usage });
  if (!existsSync(path))
    throw new SeamError(`${what} not found: ${path}`, { hint: "check the path", exitCode: EXIT.usage });
  if (!statSync(path).isDirectory()) throw new SeamError(`${what} ${path} is not a folder`, { exitCode: EXIT.usage });
}

/** The file a path names, symlinks resolved as far as they exist (to tell whether two paths are one file). */
export function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/** Whether `inner` is `outer` or lies inside it (both canonical). */
export function isWithin(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Throws unless `path` can be written: for a file (`kind` "file"), not an existing folder and its folder
 * can take a new file; for a folder ("dir"), not an existing file and it can take a new file. Checked
 * before a tool runs, so it never writes in vain. Folders made for the probe are removed again, so a usage
 * error found after the check leaves no empty output folder behind (the write itself creates them).
 */
function requireWritable(path: string, kind: "file" | "dir" = "file"): void {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  if (kind === "file" && isDir)
    throw new SeamError(`cannot write ${path}: it is a folder`, {
      hint: "give a file path for the output",
      exitCode: EXIT.usage,
    });
  if (kind === "dir" && existsSync(path) && !isDir)
    throw new SeamError(`cannot write to ${path}: it is a file, not a folder`, {
      hint: "give a folder path (or one that does not exist yet)",
      exitCode: EXIT.usage,
    });
  const dir = kind === "dir" ? path : dirname(path);
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
    throw new SeamError(`cannot write to ${dir}: ${code}`, {
      hint: "choose a writable output path",
      exitCode: EXIT.usage,
    });
  } finally {
    if (created) rmSync(created, { recursive: true, force: true });
  }
}

/** An output: what the user calls it (`-o`, `--out`, `GITHUB_STEP_SUMMARY`), its path, and its kind: a file
 * written whole (default), a folder written into, or someone else's file appended to. */
export type OutputPath = [what: string, path: string | undefined, kind?: "file" | "dir" | "append"];

/**
 * The rule for every output of every script, checked before anything runs or is created: no output may
 * equal an input, nor (a folder) contain one, nor equal another output; a file output is not a folder
 * (nor a path ending in `/`), a folder output not a file; each must be writable. A file appended to
 * (`GITHUB_STEP_SUMMARY`) is someone else's: its folder must exist already. `inputs` are what the run
 * reads, by what the user calls them: `["the input", "app.wasm"]`, `["the manifest", path]`.
 */
export function checkOutputs(inputs: [what: string, path: string][], outputs: OutputPath[]): void {
  const ins = inputs.map(([what, path]): [string, string, string] => [what, path, canonical(path)]);
  const seen: [string, string][] = [];
  for (const [what, path, kind = "file"] of outputs) {
    if (path === undefined) continue;
    if (path.trim() === "")
      throw new SeamError(`${what} is an empty path`, {
        hint: `give ${what} a path, or leave it out for the default`,
        exitCode: EXIT.usage,
      });
    const at = canonical(path);
    if (kind !== "dir" && /[\/]$/.test(path))
      throw new SeamError(`${what} ${path} ends in /, which names a folder`, {
        hint: `give ${what} a file path`,
        exitCode: EXIT.usage,
      });
    if (kind === "append" && !existsSync(dirname(resolve(path))))
      throw new SeamError(`${what} ${path} is in a folder that does not exist`, {
        hint: `point ${what} at a file in an existing folder, or unset it`,
        exitCode: EXIT.usage,
      });
    const same = ins.find(([, , p]) => p === at);
    if (same)
      throw new SeamError(`${what} ${path} is also ${same[0]}: writing it would overwrite that file`, {
        hint: `give ${what} a path of its own`,
        exitCode: EXIT.usage,
      });
    if (kind === "dir") {
      const inside = ins.find(([, , p]) => isWithin(at, p));
      if (inside)
        throw new SeamError(`${what} ${path} contains ${inside[0]} ${inside[1]}: writing there could overwrite it`, {
          hint: `give ${what} a folder of its own (one no input is in)`,
          exitCode: EXIT.usage,
        });
    }
    const twice = seen.find(([, p]) => p === at);
    if (twice)
      throw new SeamError(`${what} ${path} is also ${twice[0]}: one would overwrite the other`, {
        hint: `give ${what} a path of its own`,
        exitCode: EXIT.usage,
      });
    seen.push([what, at]);
    try {
      requireWritable(path, kind === "dir" ? "dir" : "file");
    } catch (err) {
      throw err instanceof SeamError
        ? new SeamError(`${what}: ${err.message}`, { hint: err.hint, exitCode: err.exitCode })
        : err;
    }
  }
}

// A file someone named (a report, a body file, the Actions event payload).

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
