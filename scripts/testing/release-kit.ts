/**
 * release-kit — what the kilnd install tests need of a kiln release, made on the spot: .tar.gz archives
 * holding the kilnd TEST DOUBLE (scripts/testing/kilnd-double.sh), built by the real `tar -czf A -C
 * staging .` as kiln's release workflow does, or entry by entry for archives tar would not write
 * (`../x`, `/abs`, a symlink); a loopback server that serves them release-shaped (`/v0.4.4/...`) and
 * counts requests; a server that accepts and never answers; a port nothing listens on.
 * Tests only; no script imports it.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { runProcess } from "../lib/core/proc.ts";
import { sha256 } from "../lib/core/fsx.ts";

export const KILND_DOUBLE = join(import.meta.dir, "kilnd-double.sh");
export const TRIPLE = "x86_64-unknown-linux-gnu";
export const ARCHIVE = `kiln-v0.4.4-${TRIPLE}.tar.gz`;

/** A kiln release archive as the release workflow makes it: `tar -czf` over a staging folder. */
export async function releaseArchive(dir: string, kilnd = KILND_DOUBLE): Promise<Uint8Array> {
  const staging = join(dir, "staging");
  mkdirSync(staging, { recursive: true });
  cpSync(kilnd, join(staging, "kilnd"));
  for (const f of ["README.md", "CHANGELOG.md", "LICENSE"]) writeFileSync(join(staging, f), `${f} of a test release\n`);
  const out = join(dir, ARCHIVE);
  const p = await runProcess(["tar", "-czf", out, "-C", staging, "."], { timeoutMs: 30_000 });
  if (p.code !== 0) throw new Error(`tar failed: ${p.stderr}`);
  return new Uint8Array(readFileSync(out));
}

export interface RawEntry {
  name: string;
  type?: "file" | "dir" | "symlink" | "hardlink";
  data?: string | Uint8Array;
  link?: string;
}

/** A ustar archive, gzip'd, entry by entry as given: names tar itself would refuse to write included. */
export function rawTarGz(entries: RawEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const data = typeof e.data === "string" ? enc.encode(e.data) : (e.data ?? new Uint8Array());
    const h = new Uint8Array(512);
    const put = (at: number, s: string) => h.set(enc.encode(s), at);
    const num = (at: number, len: number, n: number) => put(at, n.toString(8).padStart(len - 1, "0") + "\0");
    put(0, e.name);
    num(100, 8, e.type === "dir" ? 0o755 : 0o755);
    num(108, 8, 0);
    num(116, 8, 0);
    num(124, 12, e.type === "file" || !e.type ? data.length : 0);
    num(136, 12, 0);
    put(156, { file: "0", dir: "5", symlink: "2", hardlink: "1" }[e.type ?? "file"]);
    if (e.link) put(157, e.link);
    put(257, "ustar\u000000");
    put(148, "        ");
    const sum = h.reduce((a, b) => a + b, 0);
    put(148, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(h);
    if (!e.type || e.type === "file") {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return Bun.gzipSync(Buffer.concat(blocks));
}

/** SHA256SUMS.txt as `sha256sum` writes it, over the given assets. */
export function sumsFor(assets: Record<string, Uint8Array>): string {
  return Object.entries(assets)
    .map(([name, bytes]) => `${sha256(bytes)}  ${name}\n`)
    .join("");
}

export interface ReleaseServer {
  /** The value for SEAM_KILN_RELEASES. */
  base: string;
  /** Every path asked for, in order. */
  requests: string[];
  stop: () => void;
}

/** Serves `files` (path under the base, e.g. `v0.4.4/SHA256SUMS.txt`) on 127.0.0.1; anything else is 404. */
export function serveRelease(files: Record<string, Uint8Array | string>): ReleaseServer {
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname.slice(1);
      requests.push(path);
      const body = files[path];
      return body === undefined ? new Response("Not Found", { status: 404 }) : new Response(body);
    },
  });
  return { base: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

/** A release folder with one good archive of the test double: what serveRelease serves. */
export function releaseFiles(archive: Uint8Array, sums = sumsFor({ [ARCHIVE]: archive })) {
  return { [`v0.4.4/${ARCHIVE}`]: archive, "v0.4.4/SHA256SUMS.txt": sums };
}

/** A server that accepts connections and never answers. */
export async function silentServer(): Promise<{ base: string; stop: () => void }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return `http://127.0.0.1:${port}`;
}
