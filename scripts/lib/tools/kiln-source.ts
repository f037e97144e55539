/**
 * kiln-source — kilnd built from source, for hosts kiln ships no asset for and for kiln's main branch:
 * a kiln checkout (`cargo build --release -p kilnd --locked` in it; provenance its commit, `dirty` when
 * it has changes) or a git URL and revision (`cargo install --git URL --rev REV --locked kilnd` with its
 * root under .tools/cargo). Either is copied to .tools/bin/kilnd with .tools/kilnd.json, and a rerun
 * for the same clean revision whose binary is still the recorded one builds nothing.
 * Used by: lib/tools/install.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT, SeamError, usageError } from "../core/errors.ts";
import { atomicWrite, requireFolder } from "../core/fsx.ts";
import { runProcess } from "../core/proc.ts";
import {
  binarySha256,
  installedKilnd,
  readKilndRecord,
  writeKilndRecord,
  type KilndOrigin,
  type KilndRecord,
} from "./kilnd-record.ts";
import type { KilndInstall } from "./kiln-release.ts";

export interface KilnSourceOptions {
  toolsDir: string;
  cargo: string;
  /** The build host's triple, for the record. */
  triple: string;
  onProgress?: (line: string) => void;
  onToolStderr?: (chunk: Buffer) => void;
}

const BUILD_TIMEOUT_MS = 3_600_000;

async function cargoMust(argv: string[], cwd: string, o: KilnSourceOptions): Promise<string> {
  o.onProgress?.(`$ ${argv.join(" ")}${cwd === process.cwd() ? "" : `  (in ${cwd})`}`);
  const p = await runProcess(argv, { cwd, timeoutMs: BUILD_TIMEOUT_MS, onStderr: (c) => o.onToolStderr?.(c) });
  if (p.code !== 0) {
    const last = (p.stderr || p.stdout).trim().split("\n").slice(-3).join(" | ");
    throw new SeamError(`${argv.slice(0, 2).join(" ")} failed (exit ${p.code ?? p.signal ?? p.spawnError}): ${last}`, {
      hint: "fix the build (its output is above), or use a released kilnd: `bun scripts/tools.ts --install`",
      exitCode: EXIT.fail,
    });
  }
  return p.stdout;
}

/** The clean revision a record was built from is this one, and its binary is still the one installed. */
function sameBuild(have: KilndRecord | undefined, origin: KilndOrigin, bin: string): boolean {
  if (!have || binarySha256(bin) !== have.binarySha256) return false;
  const [a, b] = [have.origin, origin];
  if (a.kind === "checkout" && b.kind === "checkout") return a.dir === b.dir && a.rev === b.rev && !a.dirty && !b.dirty;
  return a.kind === "git" && b.kind === "git" && a.url === b.url && a.rev === b.rev;
}

async function gitRevision(dir: string): Promise<{ rev: string; dirty: boolean }> {
  const head = await runProcess(["git", "-C", dir, "rev-parse", "HEAD"], { timeoutMs: 30_000 });
  if (head.code !== 0)
    throw usageError(
      `--kiln-src ${dir} is not a git checkout (${head.stderr.trim().split("\n")[0] ?? ""})`,
      "point --kiln-src (or KILN_SRC) at a clone of pulseengine/kiln",
    );
  const status = await runProcess(["git", "-C", dir, "status", "--porcelain"], { timeoutMs: 30_000 });
  return { rev: head.stdout.trim(), dirty: status.stdout.trim() !== "" };
}

/** kilnd's version and the build's target folder, as cargo reads the checkout. */
async function cargoFacts(dir: string, o: KilnSourceOptions): Promise<{ version: string; target: string }> {
  const argv = [o.cargo, "metadata", "--format-version", "1", "--no-deps", "--locked"];
  const p = await runProcess(argv, { cwd: dir, timeoutMs: 120_000, maxCapture: 64 << 20 });
  if (p.code !== 0)
    throw usageError(
      `cargo metadata failed in ${dir}: ${p.stderr.trim().split("\n").at(-1) ?? ""}`,
      "point --kiln-src at a kiln checkout",
    );
  const m = JSON.parse(p.stdout) as { target_directory: string; packages: { name: string; version: string }[] };
  const kilnd = m.packages.find((x) => x.name === "kilnd");
  if (!kilnd) throw usageError(`${dir} has no package named kilnd`, "point --kiln-src at a kiln checkout");
  return { version: kilnd.version, target: m.target_directory };
}

/** Builds kilnd in a kiln checkout and installs it; the same clean commit as recorded builds nothing. */
export async function installKilndFromCheckout(src: string, o: KilnSourceOptions): Promise<KilndInstall> {
  const dir = resolve(src);
  requireFolder(dir, "--kiln-src folder");
  const { rev, dirty } = await gitRevision(dir);
  const origin: KilndOrigin = { kind: "checkout", dir, rev, dirty };
  const bin = installedKilnd(o.toolsDir);
  const have = readKilndRecord(o.toolsDir);
  if (sameBuild(have, origin, bin)) return { state: "up-to-date", record: have! };
  const facts = await cargoFacts(dir, o);
  await cargoMust([o.cargo, "build", "--release", "-p", "kilnd", "--locked"], dir, o);
  return copyBuilt(join(facts.target, "release", "kilnd"), facts.version, origin, o);
}

function copyBuilt(built: string, version: string, origin: KilndOrigin, o: KilnSourceOptions): KilndInstall {
  if (!existsSync(built)) throw new SeamError(`cargo reported success but left no ${built}`, { exitCode: EXIT.fail });
  const bytes = readFileSync(built);
  atomicWrite(installedKilnd(o.toolsDir), bytes, 0o755);
  const record = writeKilndRecord(o.toolsDir, {
    version,
    triple: o.triple,
    origin,
    binarySha256: new Bun.CryptoHasher("sha256").update(bytes).digest("hex"),
  });
  return { state: "installed", record };
}

/** What cargo install recorded of kilnd in ROOT/.crates2.json: its version and the commit it built. */
function installedCrate(root: string): { version: string; commit?: string } {
  try {
    const j = JSON.parse(readFileSync(join(root, ".crates2.json"), "utf8")) as { installs: Record<string, unknown> };
    for (const key of Object.keys(j.installs)) {
      const m = key.match(/^kilnd (\S+) \(.*?(?:#([0-9a-f]{7,40}))?\)$/);
      if (m) return { version: m[1]!, commit: m[2] };
    }
  } catch {
    /* an older cargo: the version stays unknown */
  }
  return { version: "unknown" };
}

/** `cargo install --git URL --rev REV --locked kilnd` rooted in .tools/cargo, then installed like a build. */
export async function installKilndFromGit(url: string, rev: string, o: KilnSourceOptions): Promise<KilndInstall> {
  const bin = installedKilnd(o.toolsDir);
  const have = readKilndRecord(o.toolsDir);
  if (sameBuild(have, { kind: "git", url, rev }, bin)) return { state: "up-to-date", record: have! };
  const root = join(o.toolsDir, "cargo");
  await cargoMust(
    [o.cargo, "install", "--git", url, "--rev", rev, "--locked", "kilnd", "--root", root],
    process.cwd(),
    o,
  );
  const crate = installedCrate(root);
  return copyBuilt(join(root, "bin", "kilnd"), crate.version, { kind: "git", url, rev, commit: crate.commit }, o);
}
