import { afterEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { lookupTool, missingToolError, requireTool } from "./lib/tools/lookup.ts";
import { checkIdentity, identifyTool } from "./lib/tools/identity.ts";
import { SeamError } from "./lib/core/errors.ts";
import { writeFakeKilnd } from "./testing/fake-kilnd.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
import {
  ARCHIVE,
  closedPort,
  KILND_DOUBLE,
  releaseArchive,
  releaseFiles,
  serveRelease,
} from "./testing/release-kit.ts";
import { runProcess } from "./lib/core/proc.ts";
import { sha256 } from "./lib/core/fsx.ts";
import { ROOT } from "./lib/core/paths.ts";
import { setDefaultTimeout } from "bun:test";

// Plain `bun test` (bun 1.4.5 ignores bunfig's [test] timeout): the subprocess tests here need more than 5 s.
setDefaultTimeout(300_000);

/** A fake project root with an executable at each place the lookup looks. */
function layout() {
  const base = tempDir("seam-tools");
  const root = join(base, "seam");
  const exe = (path: string) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "#!/bin/sh\n");
    chmodSync(path, 0o755);
    return path;
  };
  return {
    root,
    flag: exe(join(base, "flag", "kilnd")),
    env: exe(join(base, "env", "kilnd")),
    upstreamEnv: exe(join(base, "upstream", "kilnd")),
    local: exe(join(root, ".tools", "bin", "kilnd")),
    pathDir: join(exe(join(base, "pathdir", "kilnd")), ".."),
    sibling: exe(join(base, "kiln", "target", "release", "kilnd")),
  };
}

describe("tool lookup order: flag > env > .tools > PATH > sibling checkout", () => {
  test("each place wins over the ones after it", () => {
    const l = layout();
    const env = { KILND: l.env, MELD_KILND: l.upstreamEnv, PATH: l.pathDir };
    expect(lookupTool("kilnd", { flag: l.flag, env, root: l.root }).found?.source).toBe("--kilnd");
    expect(lookupTool("kilnd", { env, root: l.root }).found?.path).toBe(l.env);
    expect(
      lookupTool("kilnd", { env: { MELD_KILND: l.upstreamEnv, PATH: l.pathDir }, root: l.root }).found?.source,
    ).toBe("env MELD_KILND");
    expect(lookupTool("kilnd", { env: { PATH: l.pathDir }, root: l.root }).found?.source).toBe(".tools");
  });

  test("PATH, then ../kiln/target/release/kilnd", () => {
    const l = layout();
    const noLocal = join(l.root, "..", "kiln", "..", "seam-without-tools");
    mkdirSync(noLocal, { recursive: true });
    expect(lookupTool("kilnd", { env: { PATH: l.pathDir }, root: noLocal }).found?.source).toBe("PATH");
    expect(lookupTool("kilnd", { env: { PATH: "" }, root: noLocal }).found?.path).toBe(l.sibling);
  });

  test("an env var that points at nothing is an error naming the var, never a silent fallback", () => {
    const l = layout();
    const r = lookupTool("kilnd", { env: { KILND: "/nonexistent/kilnd", PATH: l.pathDir }, root: l.root });
    expect(r.found).toBeUndefined();
    expect(missingToolError(r).message).toBe("KILND=/nonexistent/kilnd is not an executable file");
  });

  test("KILND=none: no kilnd, though .tools/, PATH and a sibling checkout each hold one", () => {
    const l = layout();
    expect(lookupTool("kilnd", { env: { KILND: "none", PATH: l.pathDir }, root: l.root })).toEqual({
      spec: expect.objectContaining({ name: "kilnd" }),
    });
    expect(lookupTool("kilnd", { env: { KILND: "", PATH: l.pathDir }, root: l.root }).found?.source).toBe(".tools");
  });

  test("absent everywhere: the error names every place and the hint names the fix", () => {
    const e = missingToolError(lookupTool("meld", { env: { PATH: "" }, root: tempDir("seam-empty") }));
    expect(e.message).toContain("$MELD");
    expect(e.hint).toContain("bun scripts/tools.ts --install");
    expect(e.exitCode).toBe(3);
  });
});

describe("a tool must answer like itself", () => {
  test("ls_s_10_ /bin/true is no kilnd, meld is no kilnd even once known as meld, the kilnd test double (replaying kilnd 0.4.4's --help) is one", async () => {
    const memo = join(tempDir("seam-identity"), "identities.json");
    const meld = requireTool("meld");
    expect(await identifyTool(meld, memo)).toEqual({ ok: true });
    const asKilnd = await identifyTool({ name: "kilnd", path: meld.path, source: "env KILND" }, memo);
    expect(asKilnd.ok).toBe(false);
    expect(await identifyTool({ name: "kilnd", path: "/bin/true", source: "env KILND" }, memo)).toEqual({
      ok: false,
      answer: expect.stringContaining("(exit 0)"),
    });
    expect(
      await identifyTool({ name: "kilnd", path: writeFakeKilnd(tempDir("seam-fake")), source: "env KILND" }, memo),
    ).toEqual({ ok: true });
    // Only positive answers are remembered: a wrong tool is asked again next time (the run ends on it anyway).
    expect(
      Object.keys(JSON.parse(readFileSync(memo, "utf8")))
        .map((k) => k.split("=")[0])
        .sort(),
    ).toEqual(["kilnd", "meld"]);
  });

  test("ls_s_10_ the error names the variable and says to point it at the tool or unset it", async () => {
    const err = await checkIdentity(
      { name: "kilnd", path: "/bin/true", source: "env KILND" },
      { KILND: "/bin/true" },
    ).catch((e: SeamError) => e);
    expect(err).toBeInstanceOf(SeamError);
    expect([(err as SeamError).message.split(":")[0], (err as SeamError).hint, (err as SeamError).exitCode]).toEqual([
      "KILND=/bin/true does not answer like kilnd",
      "point KILND at a kilnd binary, or unset it (`unset KILND`) to use the usual lookup",
      3,
    ]);
  });
});

describe("tools CLI", () => {
  test("reports every tool with version and source; --require of an absent tool exits 3", async () => {
    const ok = await runScript("tools.ts", ["--json"]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { name: string; found: boolean; version?: string }[];
    expect(report.map((t) => t.name).sort()).toEqual(["jco", "kilnd", "meld", "wasmtime"]);
    expect(report.find((t) => t.name === "meld")?.version).toBe("0.65.1");
    const missing = await runScript("tools.ts", ["--require", "kilnd"], { env: { KILND: "/nonexistent/kilnd" } });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("KILND=/nonexistent/kilnd");
  });

  test("an unknown tool name is a usage error", async () => {
    const p = await runScript("tools.ts", ["--require", "cargo-magic"]);
    expect(p.code).toBe(2);
  });
});

describe("tools CLI: kilnd from a release mirror (SEAM_KILN_RELEASES), in a copy of seam sharing the venv", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  /** A copy of seam whose .tools/ is its own but for the venv (linked: the PyPI pins are already there). */
  function seamCopy(): string {
    const parent = tempDir("seam-tools-kilnd");
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const copy = join(parent, "seam");
    mkdirSync(copy);
    cpSync(join(ROOT, "scripts"), join(copy, "scripts"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(copy, "package.json"));
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    mkdirSync(join(copy, ".tools"));
    symlinkSync(realpathSync(join(ROOT, ".tools", "venv")), join(copy, ".tools", "venv"));
    return copy;
  }
  const install = (copy: string, base: string, more: string[] = []) =>
    runProcess([process.execPath, join(copy, "scripts", "tools.ts"), "--install", ...more], {
      env: { ...process.env, NO_COLOR: "1", SEAM_KILN_RELEASES: base, KILND: undefined, MELD_KILND: undefined },
      cwd: copy,
      timeoutMs: 120_000,
    });

  test("installed: the report names kilnd by its provenance; unreachable: exit 0, one line naming the URL; tampered: exit 1, nothing installed", async () => {
    const copy = seamCopy();
    const archive = await releaseArchive(join(copy, ".."));
    const good = serveRelease(releaseFiles(archive));
    const tampered = serveRelease(releaseFiles(archive, `${"1".repeat(64)}  ${ARCHIVE}\n`));
    cleanups.push(good.stop, tampered.stop);
    const bin = join(copy, ".tools", "bin", "kilnd");

    const bad = await install(copy, tampered.base);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`sha256 ${sha256(archive)} does not match ${"1".repeat(64)}`);
    expect([existsSync(bin), existsSync(join(copy, ".tools", "kilnd.json"))]).toEqual([false, false]);

    const offline = await install(copy, await closedPort(), ["--require", "meld"]);
    expect(offline.code).toBe(0);
    const lines = offline.stderr.split("\n").filter((l) => l.includes("kilnd"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^kilnd not installed: cannot download http:\/\/127\.0\.0\.1:\d+\/v0\.4\.4\/SHA256SUMS\.txt/,
    );
    expect(offline.stdout).toMatch(/absent +kilnd/);
    const required = await install(copy, await closedPort(), ["--require", "kilnd"]);
    expect(required.code).toBe(3);

    const ok = await install(copy, good.base, ["--require", "kilnd"]);
    expect(ok.code).toBe(0);
    expect(Buffer.compare(readFileSync(bin), readFileSync(KILND_DOUBLE))).toBe(0);
    expect(ok.stdout).toMatch(/found +kilnd +0\.4\.4 \(release asset x86_64-unknown-linux-gnu, sha256 [0-9a-f]{12}…\)/);
    expect(ok.stderr).toContain("signature not verified");
    const rerun = await install(copy, good.base);
    expect([rerun.code, good.requests.length]).toEqual([0, 2]);
    expect(rerun.stderr).toContain("up to date");
  }, 300_000);
});

describe("tools CLI: kilnd source flags", () => {
  test("--help says the exit codes; --kiln-git needs --kiln-rev; the flags need --install", async () => {
    const help = await runScript("tools.ts", ["--help"]);
    expect(help.code).toBe(0);
    for (const s of [
      "--kiln-src DIR",
      "--kiln-git URL --kiln-rev REV",
      "SEAM_KILN_RELEASES",
      "Exit: 0",
      "1 install failed",
      "3 a --require'd tool",
    ])
      expect(help.stdout).toContain(s);
    const cases: [string[], string][] = [
      [["--install", "--kiln-git", "https://x"], "--kiln-git and --kiln-rev go together"],
      [["--kiln-src", "/x"], "--kiln-src applies to --install"],
      [["--install", "--kiln-src", "/x", "--kiln-git", "u", "--kiln-rev", "r"], "pass one"],
    ];
    for (const [argv, said] of cases) {
      const p = await runScript("tools.ts", argv);
      expect([p.code, p.stderr]).toEqual([2, expect.stringContaining(said)]);
    }
  });
});
