import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadResults, parseResults } from "./io.ts";
import { tempDir } from "../../testing/testkit.ts";
import { pass, results, seamError } from "../../testing/compare-rows.ts";

describe("compare: reading results files", () => {
  test("bad input is one line naming the file, exit 2: missing, a folder without results.json, not JSON, another schema, a row without a key", () => {
    const dir = tempDir("seam-compare");
    mkdirSync(join(dir, "empty"));
    writeFileSync(join(dir, "bad.json"), "{not json");
    writeFileSync(join(dir, "gate.json"), JSON.stringify({ schema: "seam.ls-gate/1", total: 0 }));
    writeFileSync(join(dir, "norows.json"), JSON.stringify({ schema: "seam.tier-c/1" }));
    writeFileSync(
      join(dir, "nofixture.json"),
      JSON.stringify({ schema: "seam.tier-c/2", rows: [{ mode: "multi", verdict: "pass", outcome: "ok" }] }),
    );
    const cases: [string, string][] = [
      [
        join(dir, "missing.json"),
        `${join(dir, "missing.json")} not found: pass a tier-c results.json or its --out folder`,
      ],
      [join(dir, "empty"), `${join(dir, "empty")} has no results.json: pass a tier-c results.json or its --out folder`],
      [join(dir, "bad.json"), `${join(dir, "bad.json")}: not JSON`],
      [
        join(dir, "gate.json"),
        `${join(dir, "gate.json")}: not a tier-c results file (schema "seam.ls-gate/1"; compare reads seam.tier-c/1, seam.tier-c/2)`,
      ],
      [join(dir, "norows.json"), `${join(dir, "norows.json")}: says seam.tier-c/1 but has no rows list`],
      [join(dir, "nofixture.json"), `${join(dir, "nofixture.json")}: row 1 has no fixture`],
    ];
    for (const [path, message] of cases) {
      const err = seamError(() => loadResults(path));
      expect(err.exitCode).toBe(2);
      expect(err.message).toStartWith(message);
      expect(err.message).not.toContain("\n");
    }
  });

  test("a --out folder reads as its results.json", () => {
    const dir = tempDir("seam-compare");
    writeFileSync(join(dir, "results.json"), JSON.stringify(results([pass("a")])));
    expect(loadResults(dir).file).toBe(join(dir, "results.json"));
    expect(parseResults("x.json", JSON.stringify(results([pass("a")]))).rows).toHaveLength(1);
  });
});
