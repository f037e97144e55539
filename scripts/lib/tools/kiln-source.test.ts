/** kilnd built from source, for real: a tiny crate named kilnd, made in a temp folder, built by cargo
 * through a wrapper that writes each command line down. Proves the command lines, the provenance record
 * (commit, dirty, version from cargo) and that a clean revision already built builds nothing. */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "../core/proc.ts";
import { tempDir } from "../../testing/testkit.ts";
import { onPath } from "./lookup.ts";
import { installKilndFromCheckout, installKilndFromGit } from "./kiln-source.ts";
import { describeKilnd, readKilndRecord } from "./kilnd-record.ts";

const REAL_CARGO = onPath("cargo") ?? [join(process.env.HOME ?? "", ".cargo", "bin", "cargo")].find(existsSync);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const MAIN_RS = `fn main() {
    if std::env::args().any(|a| a == "--help") {
        println!("WebAssembly Runtime Daemon (kilnd)\\nUsage: kilnd [OPTIONS] <module.wasm>\\n(a tiny crate built by seam's tests)");
    }
}
`;

async function must(argv: string[], cwd: string): Promise<string> {
  const p = await runProcess(argv, { cwd, timeoutMs: 300_000 });
  if (p.code !== 0) throw new Error(`${argv.join(" ")}: ${p.stderr}`);
  return p.stdout.trim();
}

/** A git repository holding a crate named kilnd (version 9.9.9) with its Cargo.lock, and a cargo that logs. */
async function crate() {
  const dir = tempDir("seam-kiln-source");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, "kiln");
  mkdirSync(join(src, "src"), { recursive: true });
  writeFileSync(join(src, "Cargo.toml"), `[package]\nname = "kilnd"\nversion = "9.9.9"\nedition = "2021"\n`);
  writeFileSync(join(src, "src", "main.rs"), MAIN_RS);
  writeFileSync(join(src, ".gitignore"), "/target\n");
  await must([REAL_CARGO!, "generate-lockfile", "--offline"], src);
  const git = ["git", "-c", "user.name=seam", "-c", "user.email=seam@example.invalid"];
  await must([...git, "init", "-q"], src);
  await must([...git, "add", "."], src);
  await must([...git, "commit", "-qm", "a tiny kilnd"], src);
  const log = join(dir, "cargo.log");
  const cargo = join(dir, "cargo");
  writeFileSync(cargo, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${REAL_CARGO}' "$@"\n`);
  chmodSync(cargo, 0o755);
  const calls = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
  const rev = await must(["git", "rev-parse", "HEAD"], src);
  return { dir, src, cargo, calls, rev, toolsDir: join(dir, "tools"), triple: "x86_64-unknown-linux-gnu" };
}

describe.skipIf(!REAL_CARGO)(
  "kilnd from source (needs cargo: skipped when it is neither on PATH nor in ~/.cargo/bin)",
  () => {
    test("--kiln-src: cargo build --release -p kilnd --locked in the checkout; its commit recorded, dirty when changed; the same clean commit builds nothing", async () => {
      const c = await crate();
      const r = await installKilndFromCheckout(c.src, c);
      expect(r.state).toBe("installed");
      expect(c.calls().filter((l) => !l.startsWith("metadata"))).toEqual(["build --release -p kilnd --locked"]);
      const bin = join(c.toolsDir, "bin", "kilnd");
      expect(Buffer.compare(readFileSync(bin), readFileSync(join(c.src, "target", "release", "kilnd")))).toBe(0);
      expect((await runProcess([bin, "--help"])).stdout).toStartWith("WebAssembly Runtime Daemon (kilnd)");
      const rec = readKilndRecord(c.toolsDir)!;
      expect(rec).toMatchObject({
        version: "9.9.9",
        origin: { kind: "checkout", dir: c.src, rev: c.rev, dirty: false },
      });
      expect(describeKilnd(rec)).toBe(
        `9.9.9 (built from a kiln checkout at ${c.rev.slice(0, 12)}, sha256 ${rec.binarySha256.slice(0, 12)}…)`,
      );
      const before = c.calls().length;
      expect((await installKilndFromCheckout(c.src, c)).state).toBe("up-to-date");
      expect(c.calls().length).toBe(before);
      writeFileSync(join(c.src, "src", "main.rs"), MAIN_RS.replace("tiny crate", "tiny changed crate"));
      expect((await installKilndFromCheckout(c.src, c)).state).toBe("installed");
      expect(readKilndRecord(c.toolsDir)!.origin).toMatchObject({ kind: "checkout", rev: c.rev, dirty: true });
      expect((await runProcess([bin, "--help"])).stdout).toContain("tiny changed crate");
    }, 300_000);

    test("--kiln-git URL --kiln-rev REV: cargo install --git URL --rev REV --locked kilnd --root TOOLS/cargo; cached by revision", async () => {
      const c = await crate();
      const home = process.env.CARGO_HOME;
      process.env.CARGO_HOME = join(c.dir, "cargo-home"); // cargo's git checkouts stay in the temp folder
      cleanups.push(() => (home === undefined ? delete process.env.CARGO_HOME : (process.env.CARGO_HOME = home)));
      const url = `file://${c.src}`;
      const r = await installKilndFromGit(url, c.rev, c);
      expect(r.state).toBe("installed");
      expect(c.calls()).toEqual([
        `install --git ${url} --rev ${c.rev} --locked kilnd --root ${join(c.toolsDir, "cargo")}`,
      ]);
      expect(readKilndRecord(c.toolsDir)).toMatchObject({
        version: "9.9.9",
        origin: { kind: "git", url, rev: c.rev, commit: c.rev },
      });
      expect((await runProcess([join(c.toolsDir, "bin", "kilnd"), "--help"])).stdout).toStartWith(
        "WebAssembly Runtime Daemon (kilnd)",
      );
      expect((await installKilndFromGit(url, c.rev, c)).state).toBe("up-to-date");
      expect(c.calls().length).toBe(1);
    }, 300_000);
  },
);
