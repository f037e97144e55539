/**
 * cache — a content-addressed result store: a key is the sha256 of everything a result depends on
 * (input bytes, flags, the tool binary's own hash), so a changed tool or input simply misses.
 * Tool identities (binary sha256 + version) are remembered by path, size and mtime, so a warm run
 * launches no tool at all.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Glob } from "bun";
import { atomicWriteJson, sha256, sha256File } from "../core/fsx.ts";
import { memoByBinary, toolVersion, type FoundTool } from "../tools/lookup.ts";
import { ROOT } from "../core/paths.ts";
import { verifyTool } from "../tools/identity.ts";

export class ResultCache {
  constructor(
    readonly dir: string,
    /** When false, lookups always miss (results are still stored). */
    readonly reading = true,
  ) {}

  key(parts: unknown): string {
    return sha256(JSON.stringify(parts));
  }

  path(key: string, ext = "json"): string {
    return join(this.dir, key.slice(0, 2), `${key}.${ext}`);
  }

  get<T>(key: string): T | undefined {
    if (!this.reading) return undefined;
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    try {
      return JSON.parse(readFileSync(p, "utf8")) as T;
    } catch {
      return undefined; // a damaged entry is a miss, never a wrong answer
    }
  }

  put(key: string, value: unknown): void {
    atomicWriteJson(this.path(key), value);
  }
}

export interface ToolIdentity {
  path: string;
  sha256: string;
  version: string;
}

/** sha256 + version of a tool, remembered by binary (real path, size, mtime) in the cache folder. A
 * program that does not answer like the tool it was found as is an error (exit 3), never a tool. */
export async function toolIdentity(
  cacheDir: string,
  tool: FoundTool,
  env: Record<string, string | undefined> = process.env,
): Promise<ToolIdentity> {
  await verifyTool(tool, env);
  const id = await memoByBinary(join(cacheDir, "tools.json"), tool.path, async (real) => ({
    sha256: sha256File(real),
    version: await toolVersion(tool),
  }));
  return { path: tool.path, sha256: id.sha256, version: id.version };
}

/** seam's own code: the scripts and their lib, not tests or test doubles (scripts/testing/), and the
 * package pins. What every cached result and pipeline stamp depends on besides its inputs and tools. */
export function codeFiles(root = ROOT): string[] {
  const found = ["scripts/**/*.ts", "package.json"].flatMap((p) => [
    ...new Glob(p).scanSync({ cwd: root, onlyFiles: true }),
  ]);
  return found
    .filter((f) => !f.endsWith(".test.ts") && !f.startsWith("scripts/testing/"))
    .sort()
    .map((f) => join(root, f));
}

const identities = new Map<string, string>();

/** The sha256 of codeFiles(): read on first use, once per process, never at import time. */
export function codeIdentity(root = ROOT): string {
  let id = identities.get(root);
  if (id === undefined) {
    id = sha256(
      codeFiles(root)
        .map((f) => `${relative(root, f)}\0${readFileSync(f, "utf8")}`)
        .join("\0"),
    );
    identities.set(root, id);
  }
  return id;
}
