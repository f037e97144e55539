/**
 * cache — a content-addressed result store: a key is the sha256 of everything a result depends on
 * (input bytes, flags, the tool binary's own hash), so a changed tool or input simply misses.
 * Tool identities (binary sha256 + version) are remembered by path, size and mtime, so a warm run
 * launches no tool at all.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { atomicWriteJson, sha256, sha256File } from "./fsx.ts";
import { toolVersion, type FoundTool } from "./tools.ts";

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

/** sha256 + version of a tool, memoised on disk by (real path, size, mtime). */
export async function toolIdentity(cacheDir: string, tool: FoundTool): Promise<ToolIdentity> {
  const real = realpathSync(tool.path);
  const st = statSync(real);
  const memo = join(cacheDir, "tools.json");
  const stamp = `${real}|${st.size}|${st.mtimeMs}`;
  let table: Record<string, ToolIdentity> = {};
  try {
    table = JSON.parse(readFileSync(memo, "utf8")) as Record<string, ToolIdentity>;
  } catch {
    /* first run */
  }
  const hit = table[stamp];
  if (hit) return { ...hit, path: tool.path };
  const id = { path: tool.path, sha256: sha256File(real), version: await toolVersion(tool) };
  // Re-read before writing: parallel cells may have added entries meanwhile.
  try {
    table = { ...(JSON.parse(readFileSync(memo, "utf8")) as Record<string, ToolIdentity>) };
  } catch {
    /* still empty */
  }
  table[stamp] = id;
  atomicWriteJson(memo, table);
  return id;
}
