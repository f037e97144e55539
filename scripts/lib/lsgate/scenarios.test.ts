import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findCollisions, findScenarios, KNOWN_STATUSES, parseScenarios, prefixOf } from "./scenarios.ts";
import { findCrate } from "./runners.ts";
import { SeamError } from "../core/errors.ts";
import { ROOT } from "../core/paths.ts";
import { tempDir } from "../../testing/testkit.ts";
import { DEMO, entries, scenarios } from "../../testing/ls-scenarios.ts";

function thrown(fn: () => unknown): SeamError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SeamError) return err;
    throw err;
  }
  throw new Error("expected a SeamError");
}

describe("scenarios file", () => {
  test("derives upstream's prefix: lower-case, dashes to underscores, one trailing underscore", () => {
    expect(prefixOf("LS-A-11")).toBe("ls_a_11_");
    expect(prefixOf("LS-CP-2")).toBe("ls_cp_2_");
    expect(prefixOf("LS-B-1-2")).toBe("ls_b_1_2_");
  });

  test("keeps approved entries and sets drafts aside", () => {
    const s = scenarios(entries(["LS-A-1", "approved"], ["LS-A-2", "draft"], ["LS-A-3", "approved"]));
    expect(s.approved.map((x) => x.id)).toEqual(["LS-A-1", "LS-A-3"]);
    expect(s.others.map((x) => [x.id, x.status])).toEqual([["LS-A-2", "draft"]]);
    expect(s.approved[1]!.line).toBe(8);
  });

  test("ls_g_4_ malformed YAML is one file:line:col error, exit 2", () => {
    const e = thrown(() => scenarios("loss-scenarios:\n  - id: LS-A-1\n    title: [unclosed\n", "safety/x.yaml"));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^safety\/x\.yaml:\d+:\d+: malformed YAML: /);
  });

  test("ls_g_4_ an empty file or a renamed top-level key is bad input, not zero IDs", () => {
    expect(thrown(() => scenarios("", "e.yaml")).message).toMatch(/^e\.yaml:1:1: expected a mapping/);
    const renamed = thrown(() =>
      scenarios(entries(["LS-A-1", "approved"]).replace("loss-scenarios", "loss_scenarios"), "r.yaml"),
    );
    expect(renamed.exitCode).toBe(2);
    expect(renamed.message).toContain("no top-level `loss-scenarios:` key");
    expect(thrown(() => scenarios("loss-scenarios: {id: LS-A-1}\n")).message).toContain("must be a list");
  });

  test("ls_g_4_ a file without one approved entry fails the gate (exit 1) instead of verifying nothing", () => {
    for (const text of [
      "loss-scenarios: []\n",
      "loss-scenarios:\n",
      entries(["LS-A-1", "draft"], ["LS-A-2", "verified"]),
    ]) {
      const e = thrown(() => scenarios(text, "z.yaml"));
      expect(e.exitCode).toBe(1);
      expect(e.message).toContain("the gate would verify nothing");
    }
  });

  test("ls_g_4_ a mistyped status (Approved, [approved], empty, a number) is an error naming file:line:col and the known statuses, exit 2", () => {
    const text = entries(
      ["LS-A-1", "approved"],
      ["LS-A-2", "Approved"],
      ["LS-A-3", "[approved]"],
      ["LS-A-4", ""],
      ["LS-A-5", "5"],
      ["LS-A-6", "aproved"],
    );
    const e = thrown(() => scenarios(text, "s.yaml"));
    expect(e.exitCode).toBe(2);
    const known = `known: ${KNOWN_STATUSES.join(", ")}`;
    expect(e.message.split("\n")).toEqual([
      `s.yaml:7:13: unknown status "Approved" (${known}); did you mean approved?`,
      `s.yaml:10:13: status must be one value, not a list ["approved"] (${known}); did you mean approved?`,
      `s.yaml:13:13: status is empty (${known})`,
      `s.yaml:16:13: unknown status 5 (${known})`,
      `s.yaml:19:13: unknown status "aproved" (${known})`,
    ]);
  });

  test("ls_g_4_ every known status is accepted; only approved is gated, and an entry without a status is listed, not gated", () => {
    const text =
      entries(...KNOWN_STATUSES.map((st, i): [string, string] => [`LS-K-${i + 1}`, st])) +
      "  - id: LS-K-99\n    title: no status\n";
    const s = scenarios(text);
    expect(s.approved.map((x) => x.id)).toEqual(["LS-K-1"]);
    expect(s.others.map((x) => x.status)).toEqual([...KNOWN_STATUSES.slice(1), ""]);
    // Upstream's lifecycle as meld's files use it: every status there is a known one.
    expect(KNOWN_STATUSES).toEqual(
      expect.arrayContaining(["approved", "draft", "proposed", "implemented", "verified"]),
    );
  });

  test("every bad entry is reported with its position: no id, malformed id, duplicate id, not a mapping", () => {
    const text = [
      "loss-scenarios:",
      "  - title: no id", //            line 2
      "    status: approved",
      "  - id: ls-a-1", //              line 4: lower-case
      "    status: approved",
      "  - id: LS-A-2",
      "    status: approved",
      "  - id: LS-A-2", //              line 8: duplicate
      "    status: approved",
      "  - just a string", //           line 10
      "  - id: 7", //                   line 11
      "",
    ].join("\n");
    const e = thrown(() => scenarios(text, "f.yaml"));
    expect(e.exitCode).toBe(2);
    expect(e.message.split("\n")).toEqual([
      "f.yaml:2:5: entry 1 has no `id`",
      'f.yaml:4:9: malformed id "ls-a-1" (expected LS-<SEGMENT>-…, upper-case, e.g. LS-A-11)',
      "f.yaml:8:9: duplicate id LS-A-2 (first at f.yaml:6:9)",
      "f.yaml:10:5: entry 5 is not a mapping",
      "f.yaml:11:9: malformed id 7 (expected LS-<SEGMENT>-…, upper-case, e.g. LS-A-11)",
    ]);
  });

  test("seam's own safety case parses, with the 20 approved scenarios the suite is written against", () => {
    const path = join(ROOT, "safety", "stpa", "loss-scenarios.yaml");
    const s = parseScenarios(readFileSync(path, "utf8"), path);
    expect(s.approved.map((x) => x.id)).toEqual([
      ...["LS-G-1", "LS-G-2", "LS-G-3", "LS-G-4", "LS-G-5"],
      ...["LS-C-1", "LS-C-2", "LS-C-3", "LS-C-4", "LS-C-5"],
      ...["LS-S-1", "LS-S-2", "LS-S-3", "LS-S-4", "LS-S-5", "LS-S-6", "LS-S-7", "LS-S-8", "LS-S-10", "LS-S-11"],
    ]);
    expect(s.others.every((x) => x.status === "draft")).toBe(true);
    expect(findCollisions(s)).toEqual([]);
  });

  test("the crate is found as cargo finds it (nearest Cargo.toml upward), and a workspace member finds the workspace's scenarios file", () => {
    expect(findCrate(join(DEMO, "src"))).toBe(DEMO);
    expect(findCrate(DEMO)).toBe(DEMO);
    const ws = tempDir("ls-gate-ws");
    mkdirSync(join(ws, "member", "src"), { recursive: true });
    mkdirSync(join(ws, "safety", "stpa"), { recursive: true });
    writeFileSync(join(ws, "Cargo.toml"), '[workspace]\nmembers = ["member"]\n');
    writeFileSync(join(ws, "member", "Cargo.toml"), '[package]\nname = "member"\n');
    writeFileSync(join(ws, "safety", "stpa", "loss-scenarios.yaml"), entries(["LS-A-1", "approved"]));
    expect(findCrate(join(ws, "member", "src"))).toBe(join(ws, "member"));
    expect(findScenarios(join(ws, "member"))).toBe(join(ws, "safety", "stpa", "loss-scenarios.yaml"));
    const lone = tempDir("ls-gate-lone");
    expect(findCrate(lone)).toBeUndefined();
    expect(findScenarios(lone)).toBe(join(lone, "safety", "stpa", "loss-scenarios.yaml"));
  });
});
