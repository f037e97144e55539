/** kilnd from kiln's release assets, served by a loopback server made in the test: installed byte for
 * byte, not downloaded twice, and every way a download can go wrong either one line (unavailable) or
 * exit 1 with nothing installed and nothing written outside the tools folder. */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeamError } from "../core/errors.ts";
import { sha256 } from "../core/fsx.ts";
import { runProcess } from "../core/proc.ts";
import { tempDir } from "../../testing/testkit.ts";
import {
  ARCHIVE,
  closedPort,
  KILND_DOUBLE,
  rawTarGz,
  releaseArchive,
  releaseFiles,
  serveRelease,
  silentServer,
  sumsFor,
  TRIPLE,
  type RawEntry,
} from "../../testing/release-kit.ts";
import { hostTriple, installKilndRelease, parseSums, type KilnReleaseOptions } from "./kiln-release.ts";
import { describeKilnd, kilndProvenance, readKilndRecord } from "./kilnd-record.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup() {
  const dir = tempDir("seam-kiln-release");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const toolsDir = join(dir, "tools");
  return { dir, toolsDir };
}

function serve(files: Record<string, Uint8Array | string>) {
  const s = serveRelease(files);
  cleanups.push(s.stop);
  return s;
}

const opts = (toolsDir: string, releases: string, more: Partial<KilnReleaseOptions> = {}): KilnReleaseOptions => ({
  toolsDir,
  version: "0.4.4",
  releases,
  triple: TRIPLE,
  cosign: null,
  timeoutMs: 2_000,
  ...more,
});

/** What a failed install must leave: no kilnd, no record, no temp file, nothing beside the tools folder. */
function nothingInstalled(dir: string, toolsDir: string, testsOwn: string[] = []) {
  const own = ["tools", "staging", ARCHIVE, ...testsOwn];
  expect(readdirSync(dir).filter((f) => !own.includes(f))).toEqual([]);
  const left = (() => {
    try {
      return readdirSync(toolsDir, { recursive: true }) as string[];
    } catch {
      return [];
    }
  })();
  expect(left.filter((f) => f !== "bin")).toEqual([]);
}

async function refusal(p: Promise<unknown>): Promise<SeamError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SeamError);
  expect((err as SeamError).exitCode).toBe(1);
  return err as SeamError;
}

describe("kilnd from a release", () => {
  test("a good install: the binary is the archive's byte for byte, recorded, and names itself by its record; a rerun makes no request", async () => {
    const { dir, toolsDir } = setup();
    const archive = await releaseArchive(dir);
    const s = serve(releaseFiles(archive));
    const r = await installKilndRelease(opts(toolsDir, s.base));
    expect(r.state).toBe("installed");
    const bin = join(toolsDir, "bin", "kilnd");
    expect(Buffer.compare(readFileSync(bin), readFileSync(KILND_DOUBLE))).toBe(0);
    expect(statSync(bin).mode & 0o777).toBe(0o755);
    const rec = readKilndRecord(toolsDir)!;
    expect(rec).toMatchObject({
      version: "0.4.4",
      triple: TRIPLE,
      binarySha256: sha256(readFileSync(KILND_DOUBLE)),
      origin: {
        kind: "release",
        url: `${s.base}/v0.4.4/${ARCHIVE}`,
        archiveSha256: sha256(archive),
        signature: { verified: false, reason: expect.stringContaining("cosign is not on PATH") },
      },
    });
    expect(kilndProvenance(bin, toolsDir)).toBe(
      `0.4.4 (release asset ${TRIPLE}, sha256 ${rec.binarySha256.slice(0, 12)}…)`,
    );
    expect((await runProcess([bin, "--help"])).stdout).toStartWith("WebAssembly Runtime Daemon (kilnd)");
    expect(s.requests).toEqual(["v0.4.4/SHA256SUMS.txt", `v0.4.4/${ARCHIVE}`]);
    const again = await installKilndRelease(opts(toolsDir, s.base));
    expect([again.state, s.requests.length]).toEqual(["up-to-date", 2]);
    // A binary that is no longer the recorded one is not named by the record, and is replaced.
    writeFileSync(bin, "#!/bin/sh\n");
    expect(kilndProvenance(bin, toolsDir)).toBeUndefined();
    expect((await installKilndRelease(opts(toolsDir, s.base))).state).toBe("installed");
    expect(s.requests.length).toBe(4);
  });

  test("a checksum mismatch names both hashes; nothing is installed", async () => {
    const { dir, toolsDir } = setup();
    const archive = await releaseArchive(dir);
    const wrong = "0".repeat(64);
    const s = serve(releaseFiles(archive, `${wrong}  ${ARCHIVE}\n`));
    const err = await refusal(installKilndRelease(opts(toolsDir, s.base)));
    expect(err.message).toContain(sha256(archive));
    expect(err.message).toContain(wrong);
    nothingInstalled(dir, toolsDir);
  });

  test("404, a closed port, a host that never answers (bounded wait), an unknown triple: one line naming the URL and the alternatives, kilnd absent", async () => {
    const { dir, toolsDir } = setup();
    const s = serve({});
    const silent = await silentServer();
    cleanups.push(silent.stop);
    const cases = [s.base, await closedPort(), silent.base];
    for (const base of cases) {
      const t = performance.now();
      const r = await installKilndRelease(opts(toolsDir, base, { timeoutMs: 500 }));
      expect(performance.now() - t).toBeLessThan(5_000);
      if (r.state !== "unavailable") throw new Error(`expected unavailable, got ${r.state}`);
      expect(r.line.split("\n")).toHaveLength(1);
      expect(r.line).toContain(`${base}/v0.4.4/SHA256SUMS.txt`);
      expect(r.line).toContain("KILND=");
      expect(r.line).toContain("--kiln-src");
    }
    expect(s.requests).toEqual(["v0.4.4/SHA256SUMS.txt"]);
    const none = await installKilndRelease(opts(toolsDir, s.base, { triple: undefined }));
    expect(none.state === "unavailable" && none.line).toContain("ships no kilnd .tar.gz for");
    expect(s.requests.length).toBe(1);
    nothingInstalled(dir, toolsDir);
  });

  test("SHA256SUMS.txt without this host's asset, and an archive that is listed but missing: unavailable", async () => {
    const { dir, toolsDir } = setup();
    const archive = await releaseArchive(dir);
    const other = serve({ "v0.4.4/SHA256SUMS.txt": sumsFor({ "kiln-v0.4.4-riscv.tar.gz": archive }) });
    const r = await installKilndRelease(opts(toolsDir, other.base));
    expect(r.state === "unavailable" && r.line).toContain(`lists no ${ARCHIVE}`);
    const missing = serve({ "v0.4.4/SHA256SUMS.txt": sumsFor({ [ARCHIVE]: archive }) });
    const m = await installKilndRelease(opts(toolsDir, missing.base));
    expect(m.state === "unavailable" && m.line).toContain(`${ARCHIVE} (HTTP 404`);
    nothingInstalled(dir, toolsDir);
  });

  const double = readFileSync(KILND_DOUBLE);
  const bad: [string, () => Uint8Array, string][] = [
    ["a truncated archive", () => rawTarGz([{ name: "./kilnd", data: double }]).subarray(0, 300), "truncated"],
    ["an archive without kilnd", () => rawTarGz([{ name: "./README.md", data: "x" }]), "no ./kilnd in it"],
    ["an entry ../x", () => rawTarGz(entries({ name: "../x", data: "x" })), `"../x" leaves the archive's folder`],
    ["an entry /abs", () => rawTarGz(entries({ name: "/abs", data: "x" })), `absolute entry "/abs"`],
    [
      "a symlink kilnd -> /bin/sh",
      () => rawTarGz([{ name: "./kilnd", type: "symlink", link: "/bin/sh" }]),
      `"./kilnd" is a symlink to "/bin/sh"`,
    ],
    [
      "a hard link",
      () => rawTarGz(entries({ name: "./x", type: "hardlink", link: "/etc/passwd" })),
      `"./x" is a hard link`,
    ],
  ];
  function entries(extra: RawEntry): RawEntry[] {
    return [{ name: "./", type: "dir" }, { name: "./kilnd", data: double }, extra];
  }
  for (const [what, make, said] of bad)
    test(`${what}, listed in SHA256SUMS.txt: exit 1, nothing installed, nothing written`, async () => {
      const { dir, toolsDir } = setup();
      const archive = make();
      const s = serve(releaseFiles(archive));
      const err = await refusal(installKilndRelease(opts(toolsDir, s.base)));
      expect(err.message).toContain(said);
      expect(err.message).toContain("nothing was installed");
      nothingInstalled(dir, toolsDir);
    });

  test("cosign on PATH verifies SHA256SUMS.txt with its bundle and kiln's signer; a failed verification installs nothing", async () => {
    const { dir, toolsDir } = setup();
    const archive = await releaseArchive(dir);
    const s = serve({ ...releaseFiles(archive), "v0.4.4/SHA256SUMS.txt.cosign.bundle": "{}" });
    const log = join(dir, "cosign.args");
    const cosign = join(dir, "cosign");
    // A cosign stand-in for this test: it writes its arguments down and exits as $COSIGN_EXIT says.
    writeFileSync(
      cosign,
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\necho 'verification failed' >&2\nexit \${COSIGN_EXIT:-0}\n`,
    );
    chmodSync(cosign, 0o755);
    process.env.COSIGN_EXIT = "1";
    cleanups.push(() => delete process.env.COSIGN_EXIT);
    const err = await refusal(installKilndRelease(opts(toolsDir, s.base, { cosign })));
    expect(err.message).toContain("verification failed");
    nothingInstalled(dir, toolsDir, ["cosign", "cosign.args"]);
    process.env.COSIGN_EXIT = "0";
    const r = await installKilndRelease(opts(toolsDir, s.base, { cosign }));
    expect(r.state === "installed" && r.record.origin).toMatchObject({ signature: { verified: true } });
    const args = readFileSync(log, "utf8").trim().split("\n");
    expect(args.slice(0, 1)).toEqual(["verify-blob"]);
    expect(args).toContain("https://github.com/pulseengine/kiln/.github/workflows/release.yml@.*");
    expect(args).toContain("https://token.actions.githubusercontent.com");
    expect(args.at(-1)).toEndWith("SHA256SUMS.txt");
    expect(describeKilnd(readKilndRecord(toolsDir)!)).toContain("signature verified");
  });
});

describe("release asset names", () => {
  test("the host triple: linux and macOS on x86_64 and aarch64; nothing for Windows (a .zip) or others", () => {
    expect([hostTriple("linux", "x64"), hostTriple("linux", "arm64"), hostTriple("darwin", "arm64")]).toEqual([
      "x86_64-unknown-linux-gnu",
      "aarch64-unknown-linux-gnu",
      "aarch64-apple-darwin",
    ]);
    expect([hostTriple("win32", "x64"), hostTriple("linux", "riscv64")]).toEqual([undefined, undefined]);
  });

  test("SHA256SUMS.txt lines as sha256sum writes them, text or binary mode", () => {
    const a = "a".repeat(64);
    const sums = parseSums(`${a}  kiln-v1-x.tar.gz\n${"B".repeat(64)} *SHA256SUMS.txt.sig\nnoise\n`);
    expect([...sums]).toEqual([
      ["kiln-v1-x.tar.gz", a],
      ["SHA256SUMS.txt.sig", "b".repeat(64)],
    ]);
  });
});
