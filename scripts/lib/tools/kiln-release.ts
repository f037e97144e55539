/**
 * kiln-release — installs kiln's released kilnd: `$SEAM_KILN_RELEASES/<tag>/kiln-<tag>-<triple>.tar.gz`,
 * checked against the release's SHA256SUMS.txt (whose keyless cosign signature is verified when cosign
 * is on PATH; whether it was is always said and recorded), `./kilnd` alone taken out of it
 * (lib/tools/archive.ts) into .tools/bin/kilnd, and .tools/kilnd.json written (lib/tools/kilnd-record.ts).
 * A host that cannot download it (unreachable, DNS, 404, no asset for the host) gets one line and no
 * kilnd; a download that is not what the release published (checksum, truncated, escaping entries)
 * installs nothing and throws (exit 1). Waits are bounded: nothing answering costs `timeoutMs` at most.
 * Used by: lib/tools/install.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT, SeamError } from "../core/errors.ts";
import { atomicWrite, sha256 } from "../core/fsx.ts";
import { runProcess } from "../core/proc.ts";
import { readTarGz, takeFile } from "./archive.ts";
import { binarySha256, installedKilnd, readKilndRecord, writeKilndRecord, type KilndRecord } from "./kilnd-record.ts";

export const KILN_RELEASES = "https://github.com/pulseengine/kiln/releases/download";
/** The keyless signer kiln's release workflow is: its identity and the token issuer cosign must see. */
export const KILN_SIGNER = {
  identityRegexp: "https://github.com/pulseengine/kiln/.github/workflows/release.yml@.*",
  issuer: "https://token.actions.githubusercontent.com",
};
/** How long a host may take to start answering; then the download counts as unavailable. 25 s, so the
 * whole install, bun's start and the tool report included (~3 s), says so within 30 s. */
export const CONNECT_TIMEOUT_MS = 25_000;
/** How long an answering host may take to send an asset; then the download counts as cut short. */
export const BODY_TIMEOUT_MS = 300_000;

/** The Rust target triple of a host kiln ships a .tar.gz for, or undefined (Windows ships a .zip). */
export function hostTriple(platform: string = process.platform, arch: string = process.arch): string | undefined {
  const cpu = { x64: "x86_64", arm64: "aarch64" }[arch];
  const os = { linux: "unknown-linux-gnu", darwin: "apple-darwin" }[platform];
  return cpu && os ? `${cpu}-${os}` : undefined;
}

export interface ReleaseAsset {
  tag: string;
  archive: string;
  archiveUrl: string;
  sumsUrl: string;
  bundleUrl: string;
}

export function releaseAsset(base: string, version: string, triple: string): ReleaseAsset {
  const tag = `v${version}`;
  const dir = `${base.replace(/\/+$/, "")}/${tag}`;
  const archive = `kiln-${tag}-${triple}.tar.gz`;
  return {
    tag,
    archive,
    archiveUrl: `${dir}/${archive}`,
    sumsUrl: `${dir}/SHA256SUMS.txt`,
    bundleUrl: `${dir}/SHA256SUMS.txt.cosign.bundle`,
  };
}

export interface KilnReleaseOptions {
  toolsDir: string;
  version: string;
  /** Default $SEAM_KILN_RELEASES, else KILN_RELEASES. */
  releases?: string;
  /** The host's triple; undefined when kiln ships no .tar.gz for it. */
  triple: string | undefined;
  timeoutMs?: number;
  bodyTimeoutMs?: number;
  /** cosign's path, or null when it is not on PATH. */
  cosign: string | null;
  onProgress?: (line: string) => void;
}

/** An install's outcome: kilnd installed or already there (with its record), or unavailable (one line why). */
export type KilndInstall =
  { state: "installed" | "up-to-date" | "kept"; record: KilndRecord } | { state: "unavailable"; line: string };

const ALTERNATIVES =
  "set KILND=/path/to/kilnd, or build one: `bun scripts/tools.ts --install --kiln-src DIR` (a kiln checkout)";

function unavailable(what: string): KilndInstall {
  return { state: "unavailable", line: `kilnd not installed: ${what}; ${ALTERNATIVES}` };
}

type Fetched = { ok: true; bytes: Uint8Array } | { ok: false; why: string };

function errorText(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return e.message;
  const code = e?.code ?? e?.cause?.code;
  if (!e?.message) return code ?? String(err);
  return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
}

/**
 * GETs `url`: a host that has not answered within timeoutMs, an error status or a failed connection is
 * `ok: false` (unavailable); a body that stops coming once the host answered throws (exit 1, cut short).
 */
export async function download(url: string, timeoutMs: number, bodyTimeoutMs = BODY_TIMEOUT_MS): Promise<Fetched> {
  const ctl = new AbortController();
  const abortIn = (ms: number, why: string) => setTimeout(() => ctl.abort(new DOMException(why, "TimeoutError")), ms);
  let timer = abortIn(timeoutMs, `no answer within ${timeoutMs / 1000} s`);
  let res: Response;
  try {
    res = await fetch(url, { signal: ctl.signal, redirect: "follow" });
  } catch (err) {
    clearTimeout(timer);
    return { ok: false, why: errorText(err) };
  }
  clearTimeout(timer);
  if (!res.ok) {
    ctl.abort();
    return { ok: false, why: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}` };
  }
  timer = abortIn(bodyTimeoutMs, `not sent within ${bodyTimeoutMs / 1000} s`);
  try {
    return { ok: true, bytes: new Uint8Array(await res.arrayBuffer()) };
  } catch (err) {
    throw new SeamError(`the download of ${url} was cut short (${errorText(err)}); nothing was installed`, {
      hint: "rerun `bun scripts/tools.ts --install`; if it keeps failing, check the mirror or proxy",
      exitCode: EXIT.fail,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** `sha256sum` lines → file name → sha256 (a `*name` binary-mode mark dropped). */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = line.trim().match(/^([0-9a-fA-F]{64})\s+\*?(.+)$/);
    if (m) sums.set(m[2]!.replace(/^\.\//, ""), m[1]!.toLowerCase());
  }
  return sums;
}

/** Verifies SHA256SUMS.txt's keyless signature with cosign: a failed check throws (exit 1); no cosign or
 * no bundle is `verified: false` with the reason. */
export async function verifySums(
  sums: Uint8Array,
  a: ReleaseAsset,
  o: Pick<KilnReleaseOptions, "cosign" | "toolsDir" | "timeoutMs" | "bodyTimeoutMs">,
): Promise<{ verified: boolean; reason: string }> {
  if (!o.cosign) return { verified: false, reason: "cosign is not on PATH: checked against SHA256SUMS.txt only" };
  const bundle = await download(a.bundleUrl, o.timeoutMs ?? CONNECT_TIMEOUT_MS, o.bodyTimeoutMs);
  if (!bundle.ok) return { verified: false, reason: `no signature bundle at ${a.bundleUrl} (${bundle.why})` };
  mkdirSync(o.toolsDir, { recursive: true });
  const dir = mkdtempSync(join(o.toolsDir, ".kilnd-verify-"));
  try {
    writeFileSync(join(dir, "SHA256SUMS.txt"), sums);
    writeFileSync(join(dir, "SHA256SUMS.txt.cosign.bundle"), bundle.bytes);
    const argv = [
      o.cosign,
      "verify-blob",
      "--bundle",
      join(dir, "SHA256SUMS.txt.cosign.bundle"),
      "--certificate-identity-regexp",
      KILN_SIGNER.identityRegexp,
      "--certificate-oidc-issuer",
      KILN_SIGNER.issuer,
      join(dir, "SHA256SUMS.txt"),
    ];
    const p = await runProcess(argv, { timeoutMs: 120_000 });
    if (p.code === 0) return { verified: true, reason: `cosign verify-blob: signed by ${KILN_SIGNER.identityRegexp}` };
    const last = (p.stderr || p.stdout).trim().split("\n").at(-1) ?? `exit ${p.code ?? p.signal}`;
    throw new SeamError(`cosign could not verify ${a.sumsUrl} with its bundle: ${last}; nothing was installed`, {
      hint: "the checksums may not be kiln's release workflow's: check the mirror (SEAM_KILN_RELEASES)",
      exitCode: EXIT.fail,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Downloads the asset and its checksums; unavailable or a checksum mismatch (which throws, exit 1). */
async function fetchChecked(a: ReleaseAsset, o: KilnReleaseOptions) {
  const wait = o.timeoutMs ?? CONNECT_TIMEOUT_MS;
  const sums = await download(a.sumsUrl, wait, o.bodyTimeoutMs);
  if (!sums.ok) return unavailable(`cannot download ${a.sumsUrl} (${sums.why})`);
  const want = parseSums(new TextDecoder().decode(sums.bytes)).get(a.archive);
  if (!want) return unavailable(`${a.sumsUrl} lists no ${a.archive} (no asset for this host)`);
  o.onProgress?.(`kilnd: downloading ${a.archiveUrl}`);
  const archive = await download(a.archiveUrl, wait, o.bodyTimeoutMs);
  if (!archive.ok) return unavailable(`cannot download ${a.archiveUrl} (${archive.why})`);
  const got = sha256(archive.bytes);
  if (got !== want)
    throw new SeamError(`${a.archive}: sha256 ${got} does not match ${want} in ${a.sumsUrl}; nothing was installed`, {
      hint: "the download or the mirror is damaged or tampered with: rerun, or check SEAM_KILN_RELEASES",
      exitCode: EXIT.fail,
    });
  return { sums: sums.bytes, archive: archive.bytes, sha256: got };
}

/** Installs the pinned release kilnd into toolsDir/bin, unless its record already matches (no request made). */
export async function installKilndRelease(o: KilnReleaseOptions): Promise<KilndInstall> {
  const base = o.releases ?? process.env.SEAM_KILN_RELEASES ?? KILN_RELEASES;
  if (!o.triple)
    return unavailable(
      `kiln ships no kilnd .tar.gz for ${process.platform}-${process.arch} (${base}/v${o.version}/ has linux and macOS, x86_64 and aarch64)`,
    );
  const a = releaseAsset(base, o.version, o.triple);
  const have = readKilndRecord(o.toolsDir);
  const bin = installedKilnd(o.toolsDir);
  if (have && binarySha256(bin) === have.binarySha256) {
    if (have.origin.kind !== "release") return { state: "kept", record: have };
    if (have.version === o.version && have.triple === o.triple) return { state: "up-to-date", record: have };
  }
  const got = await fetchChecked(a, o);
  if ("state" in got) return got;
  const signature = await verifySums(got.sums, a, o);
  const kilnd = takeFile(readTarGz(got.archive, a.archive), "kilnd", a.archive);
  atomicWrite(bin, kilnd, 0o755);
  const record = writeKilndRecord(o.toolsDir, {
    version: o.version,
    triple: o.triple,
    origin: { kind: "release", url: a.archiveUrl, archiveSha256: got.sha256, signature },
    binarySha256: sha256(kilnd),
  });
  return { state: "installed", record };
}
