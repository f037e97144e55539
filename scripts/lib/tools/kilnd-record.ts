/**
 * kilnd-record — the provenance of the kilnd that `tools.ts --install` put in .tools/bin: what installed
 * it (a release asset, a kiln checkout, `cargo install --git`), its version and the binary's sha256, in
 * .tools/kilnd.json. A released kilnd is stripped and cross-built, so no hash table could name it: a
 * binary is named by its record, and only while its sha256 is still the record's.
 * Used by: lib/tools/kiln-release.ts and kiln-source.ts (write), lib/tools/lookup.ts (toolVersion).
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { atomicWriteJson, sha256File } from "../core/fsx.ts";
import { SCHEMAS } from "../engines/records.ts";

export const KILND_RECORD_SCHEMA = SCHEMAS.kilnd;

/** How the installed kilnd came to be. */
export type KilndOrigin =
  | {
      kind: "release";
      url: string;
      archiveSha256: string;
      /** Whether cosign verified SHA256SUMS.txt's signature, and why (not). */
      signature: { verified: boolean; reason: string };
    }
  | { kind: "checkout"; dir: string; rev: string; dirty: boolean }
  | { kind: "git"; url: string; rev: string; commit?: string };

export interface KilndRecord {
  schema: typeof KILND_RECORD_SCHEMA;
  version: string;
  /** The host triple it was installed for (a release asset's, or the build host's). */
  triple: string;
  origin: KilndOrigin;
  binarySha256: string;
  installedAt: string;
}

export const recordPath = (toolsDir: string) => join(toolsDir, "kilnd.json");
export const installedKilnd = (toolsDir: string) => join(toolsDir, "bin", "kilnd");

export function readKilndRecord(toolsDir: string): KilndRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(recordPath(toolsDir), "utf8")) as KilndRecord;
    return r.schema === KILND_RECORD_SCHEMA && typeof r.binarySha256 === "string" ? r : undefined;
  } catch {
    return undefined;
  }
}

export function writeKilndRecord(toolsDir: string, r: Omit<KilndRecord, "schema" | "installedAt">): KilndRecord {
  const record: KilndRecord = { schema: KILND_RECORD_SCHEMA, ...r, installedAt: new Date().toISOString() };
  atomicWriteJson(recordPath(toolsDir), record);
  return record;
}

const shaMemo = new Map<string, string>();

/** sha256 of a binary, once per process per (real path, size, mtime). */
export function binarySha256(path: string): string | undefined {
  try {
    const real = realpathSync(path);
    const st = statSync(real);
    const key = `${real}|${st.size}|${st.mtimeMs}`;
    const known = shaMemo.get(key);
    if (known) return known;
    const sha = sha256File(real);
    shaMemo.set(key, sha);
    return sha;
  } catch {
    return undefined;
  }
}

/** The record's origin in a few words: `release asset x86_64-unknown-linux-gnu`, `built from a kiln checkout at
 * 1a2b3c4d5e6f dirty`. The checkout's folder stays in the record: reports and bundles name no path of the
 * machine that made them. */
export function originText(r: KilndRecord): string {
  const o = r.origin;
  if (o.kind === "release") return `release asset ${r.triple}${o.signature.verified ? ", signature verified" : ""}`;
  if (o.kind === "checkout") return `built from a kiln checkout at ${o.rev.slice(0, 12)}${o.dirty ? " dirty" : ""}`;
  return `cargo install --git ${o.url} --rev ${o.rev}${o.commit && !o.commit.startsWith(o.rev) ? ` (${o.commit.slice(0, 12)})` : ""}`;
}

/** What a kilnd is, as every report names it: `0.4.4 (release asset x86_64-unknown-linux-gnu, sha256 abcdef123456…)`. */
export function describeKilnd(r: KilndRecord): string {
  return `${r.version} (${originText(r)}, sha256 ${r.binarySha256.slice(0, 12)}…)`;
}

/** The description of the kilnd at `path` when it is the one .tools/kilnd.json records (same sha256). */
export function kilndProvenance(path: string, toolsDir: string): string | undefined {
  const r = readKilndRecord(toolsDir);
  if (!r) return undefined;
  return binarySha256(path) === r.binarySha256 ? describeKilnd(r) : undefined;
}
