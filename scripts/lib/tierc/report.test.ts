import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../core/paths.ts";
import { VERDICT_ICONS } from "./report.ts";

describe("the verdicts", () => {
  test("the README's glossary names every verdict, once each, in the order of VERDICT_ICONS", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.split("\n## Reading the tier-c table\n")[1]!.split("\n## ")[0]!;
    const glossary = section.split("\nThe verdicts, all of them:\n\n")[1]!.split("\n\n")[0]!;
    const named = [...glossary.matchAll(/^- `([a-z-]+)[^`]*`:/gm)].map((m) => m[1]);
    expect(named).toEqual(Object.keys(VERDICT_ICONS));
  });
});
