/**
 * archive — reads a release's .tar.gz in memory and takes one file out of it. Every entry is checked
 * before anything is written: an absolute name, a `..` segment, a symlink, a hard link or a device makes
 * the whole archive refused, and a truncated or damaged one is refused too. The caller writes the file it
 * takes with core/fsx.ts atomicWrite (mode 0o755), so a failed install never leaves half a binary.
 * Used by: lib/tools/kiln-release.ts.
 */
import { EXIT, SeamError } from "../core/errors.ts";

export interface TarEntry {
  /** As the archive names it, `./` and trailing `/` removed (`kilnd`, `docs/x`). */
  name: string;
  type: "file" | "dir";
  mode: number;
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function refused(what: string, why: string): SeamError {
  return new SeamError(`${what}: ${why}; nothing was installed`, {
    hint: "the download is not what kiln's release workflow publishes: check the mirror (SEAM_KILN_RELEASES), or build kilnd from source with --kiln-src DIR",
    exitCode: EXIT.fail,
  });
}

function field(h: Uint8Array, at: number, len: number): string {
  const raw = h.subarray(at, at + len);
  const end = raw.indexOf(0);
  return decoder.decode(end < 0 ? raw : raw.subarray(0, end));
}

function octal(h: Uint8Array, at: number, len: number): number {
  const s = field(h, at, len).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

/** The header's own checksum: the sum of its bytes with the checksum field read as spaces. */
function headerOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === octal(h, 148, 8);
}

/** The entry name as it will be used, or why it may not be: absolute or escaping names never pass. */
export function safeName(raw: string): string | { bad: string } {
  if (raw.startsWith("/")) return { bad: `absolute entry ${JSON.stringify(raw)}` };
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) return { bad: `entry ${JSON.stringify(raw)} leaves the archive's folder` };
  return parts.join("/");
}

const TYPES: Record<string, TarEntry["type"] | string> = {
  "0": "file",
  "\0": "file",
  "": "file",
  "7": "file",
  "5": "dir",
  "1": "hard link",
  "2": "symlink",
  "3": "character device",
  "4": "block device",
  "6": "fifo",
};

/** Reads pax `path=` records (the only extended header a release tar needs). */
function paxPath(data: Uint8Array): string | undefined {
  return decoder
    .decode(data)
    .split("\n")
    .map((rec) => rec.replace(/^\d+ /, ""))
    .find((rec) => rec.startsWith("path="))
    ?.slice(5);
}

/**
 * Every entry of a gzip'd tar, checked: a truncated or damaged archive, an absolute or `..` name, and
 * any entry that is neither a regular file nor a folder throws (exit 1) before the caller writes anything.
 */
export function readTarGz(gz: Uint8Array, what: string): TarEntry[] {
  let tar: Uint8Array;
  try {
    tar = Bun.gunzipSync(gz as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw refused(what, `truncated or damaged gzip (${(err as Error).message})`);
  }
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  for (let at = 0; ;) {
    if (at + BLOCK > tar.length) throw refused(what, "truncated tar (no end-of-archive marker)");
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) return entries;
    if (!headerOk(h)) throw refused(what, `damaged tar header at byte ${at}`);
    const size = octal(h, 124, 12);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    if (data.length < size) throw refused(what, "truncated tar (an entry is cut short)");
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const flag = String.fromCharCode(h[156]!);
    if (flag === "L" || flag === "x") {
      longName = flag === "L" ? field(data, 0, data.length) : (paxPath(data) ?? longName);
      continue;
    }
    if (flag === "g") continue;
    const prefix = field(h, 345, 155);
    const raw = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    const type = TYPES[flag] ?? `entry of type ${JSON.stringify(flag)}`;
    if (type !== "file" && type !== "dir")
      throw refused(
        what,
        `${JSON.stringify(raw)} is a ${type}${flag === "1" || flag === "2" ? ` to ${JSON.stringify(field(h, 157, 100))}` : ""}`,
      );
    const name = safeName(raw);
    if (typeof name !== "string") throw refused(what, name.bad);
    entries.push({ name, type, mode: octal(h, 100, 8), data });
  }
}

/** The one regular file named `name` (`kilnd`) among checked entries; throws (exit 1) when there is none. */
export function takeFile(entries: TarEntry[], name: string, what: string): Uint8Array {
  const hit = entries.find((e) => e.type === "file" && e.name === name);
  if (!hit) throw refused(what, `no ./${name} in it (entries: ${entries.map((e) => e.name).join(", ") || "none"})`);
  return hit.data;
}
