import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkOutputs, removeTrackedTemps, trackTemp } from "./fsx.ts";
import { tempDir } from "../../testing/testkit.ts";

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
};

describe("checkOutputs: no output equals or contains an input", () => {
  test("a file output that is an input, by another name or through a symlink, is refused", () => {
    const dir = tempDir("seam-fsx");
    const input = join(dir, "in.wasm");
    writeFileSync(input, "x");
    symlinkSync(input, join(dir, "link.wasm"));
    expect(message(() => checkOutputs([["the input", input]], [["-o", join(dir, "sub", "..", "in.wasm")]]))).toEndWith(
      "is also the input: writing it would overwrite that file",
    );
    expect(message(() => checkOutputs([["the input", join(dir, "link.wasm")]], [["-o", input]]))).toEndWith(
      "is also the input: writing it would overwrite that file",
    );
  });

  test("a folder output that holds an input is refused; one beside it is fine and is not left behind", () => {
    const dir = tempDir("seam-fsx");
    mkdirSync(join(dir, "fixtures"));
    writeFileSync(join(dir, "fixtures", "manifest.yaml"), "");
    expect(
      message(() => checkOutputs([["the manifest", join(dir, "fixtures", "manifest.yaml")]], [["--out", dir, "dir"]])),
    ).toContain("contains the manifest");
    checkOutputs(
      [["the manifest", join(dir, "fixtures", "manifest.yaml")]],
      [["--out", join(dir, "out", "tier-c"), "dir"]],
    );
    expect(readdirSync(dir)).toEqual(["fixtures"]); // the probe's folders are gone again
  });

  test("two outputs that are one file, a file output ending in /, and a folder output that is a file are refused", () => {
    const dir = tempDir("seam-fsx");
    writeFileSync(join(dir, "f"), "");
    expect(
      message(() =>
        checkOutputs(
          [],
          [
            ["--out", join(dir, "a.md")],
            ["--junit", join(dir, "a.md")],
          ],
        ),
      ),
    ).toEndWith("is also --out: one would overwrite the other");
    expect(message(() => checkOutputs([], [["-o", `${dir}/new/`]]))).toEndWith("ends in /, which names a folder");
    expect(message(() => checkOutputs([], [["--out", join(dir, "f"), "dir"]]))).toEndWith("it is a file, not a folder");
  });
});

describe("temp files", () => {
  test("a tracked temp file or folder is removed by removeTrackedTemps (what SIGINT and exit run); an untracked one stays", () => {
    const dir = tempDir("seam-fsx");
    const tmpDir = join(dir, "x.tmp");
    mkdirSync(tmpDir);
    writeFileSync(join(tmpDir, "half"), "");
    const kept = join(dir, "kept.tmp");
    writeFileSync(kept, "");
    trackTemp(tmpDir);
    trackTemp(kept)();
    removeTrackedTemps();
    expect([existsSync(tmpDir), existsSync(kept)]).toEqual([false, true]);
  });
});
