import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { portableText, publishBundles, stagedPath, stagingDir, writeBundle } from "./write.ts";
import type { ReproInput } from "./steps.ts";
import { removeTrackedTemps } from "../../core/fsx.ts";
import { tempDir } from "../../../testing/testkit.ts";
import { SCHEMAS, type FuseRecord } from "../../engines/records.ts";

function input(dir: string): ReproInput {
  const original = join(dir, "app.wasm");
  writeFileSync(original, "\0asm");
  return {
    fixture: "app",
    mode: "multi",
    form: "component",
    side: "kiln",
    title: "kilnd: app fails",
    summary: "kilnd fails what wasmtime runs",
    wasm: "fused.component.wasm",
    fuse: {
      schema: SCHEMAS.fuse,
      verdict: "fused",
      meld: null,
      argv: ["meld", "fuse", original, "-o", join(dir, "f.wasm"), "--memory", "multi", "--component"],
      command: "",
      memory: "multi",
      mode: "component",
      inputs: [{ path: original, sha256: "0".repeat(64), bytes: 4 }],
      output: null,
      ms: 0,
    },
    meldFlags: ["--memory", "multi", "--component"],
    env: {},
    steps: [],
    expectText: "exit 0",
    expected: "wasmtime on the unfused original: meets the expectation.",
    evidence: "the same fused component passes on wasmtime",
    tools: { kilnd: "absent", meld: "0.65.1", reference: "wasmtime 49" },
    originalPath: original,
    sources: [],
  };
}

describe("repro bundles are staged until the results that confirm them are written", () => {
  test("ls_s_11_ a written bundle is not in place before publishBundles, and an interruption leaves neither it nor the staging folder", () => {
    const out = tempDir("seam-bundle");
    const dir = join(out, "app-multi-component");
    writeBundle(dir, input(out), "pending");
    expect([existsSync(dir), existsSync(join(stagedPath(dir), "REPRO.md"))]).toEqual([false, true]);
    removeTrackedTemps(); // what runCli does on SIGINT, SIGTERM and exit
    expect([existsSync(dir), existsSync(stagingDir(out))]).toEqual([false, false]);
  });

  test("publishing moves the bundles in, replaces older ones of the same name and removes those the old results named", () => {
    const out = tempDir("seam-bundle");
    for (const old of ["app-multi-component", "gone-multi-core"]) {
      mkdirSync(join(out, old));
      writeFileSync(join(out, old, "REPRO.md"), "old");
    }
    mkdirSync(join(out, "notes"));
    writeFileSync(
      join(out, "results.json"),
      JSON.stringify({ rows: [{ bundle: "app-multi-component" }, { bundle: "gone-multi-core" }] }),
    );
    const dir = join(out, "app-multi-component");
    writeBundle(dir, input(out), "exited 1 and printed REPRODUCED");
    publishBundles(out, ["app-multi-component"]);
    expect(readFileSync(join(dir, "REPRO.md"), "utf8")).toContain("repro.sh exited 1 and printed REPRODUCED");
    for (const f of ["REPRO.md", "fuse.json", "repro.sh"])
      expect(readFileSync(join(dir, f), "utf8")).not.toContain(out);
    expect(readdirSync(out).sort()).toEqual(["app-multi-component", "app.wasm", "notes", "results.json"]); // a folder no results named stays
  });
});

test("a bundle's text names its files as the bundle does: the fused file by its form, no folder of the machine", () => {
  const r = {
    originalPath: "/m/seam/fixtures/a.wasm",
    fusedPath: "/m/seam/out/tier-c/.cache/ab/ab.core.fused.wasm",
    fuse: { mode: "core" } as FuseRecord,
  };
  expect(portableText("meld fuse /m/seam/fixtures/a.wasm -o /m/seam/out/tier-c/.cache/ab/ab.core.fused.wasm", r)).toBe(
    "meld fuse original.wasm -o fused.core.wasm",
  );
});
