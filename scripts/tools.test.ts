import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lookupTool, missingToolError, requireTool } from "./lib/tools/lookup.ts";
import { checkIdentity, identifyTool } from "./lib/tools/identity.ts";
import { SeamError } from "./lib/core/errors.ts";
import { writeFakeKilnd } from "./testing/fake-kilnd.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
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
