import { describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AdhocFixture, AdhocSpec } from "./inputs.ts";
import { sha256 } from "../../core/fsx.ts";
import { expectationFromRuns } from "./record.ts";
import { parseManifest } from "../../fixtures/manifest.ts";
import type { RunRecord } from "../../engines/records.ts";
import { appendEntry, manifestEntry, observedMeld } from "./save-fixture.ts";
import type { Cell, Row } from "../report.ts";
import { tempDir } from "../../../testing/testkit.ts";
import {
  usageMessage as usage,
  wasmtimeRun as run,
  adhocExpectation,
  ADHOC_COMMAND as COMMAND,
} from "../../../testing/run-records.ts";
import { ROOT } from "../../core/paths.ts";

const HELLO = join(ROOT, "fixtures", "hello_c_cli.wasm");

const record = adhocExpectation;

describe("--save-fixture", () => {
  const cell = (step: Cell["step"], status: string, ok: boolean | null, detail = ""): Cell => ({
    step,
    status,
    ok,
    detail,
    ms: 1,
    cached: false,
  });
  const rowOf = (mode: "multi" | "shared", form: "component" | "core", fuse: Cell, ref: Cell): Row => ({
    fixture: "app",
    mode,
    form,
    verdict: "pass",
    outcome: "ok",
    why: "",
    cells: [
      cell("reference(original)", "passed", true),
      cell("kiln(original)", "skipped", null),
      fuse,
      ref,
      cell("kiln(fused)", "skipped", null),
    ],
  });
  const fused = cell("fuse", "fused", true, "100 bytes");
  const passes = cell("reference(fused)", "passed", true);
  const refused = cell("fuse", "refused", false, "#390: cannot fuse the same-memory call to 'a#b'");
  const rows = [
    rowOf(
      "multi",
      "component",
      fused,
      cell("reference(fused)", "failed", false, "expected exit 0, got failed (canonical option `memory` is required)"),
    ),
    rowOf("multi", "core", fused, passes),
    rowOf("shared", "component", refused, cell("reference(fused)", "skipped", null, "nothing fused")),
    rowOf("shared", "core", refused, cell("reference(fused)", "skipped", null, "nothing fused")),
  ];

  test("meld's outcome per mode and form is read off the rows", () => {
    const a = record([run({ stdout: "x" })], COMMAND, "jco");
    expect(observedMeld(a, rows)).toEqual({
      component: {
        multi: {
          outcome: "misfused",
          message: "expected exit 0, got failed (canonical option `memory` is required)",
          reference: "wasmtime",
        },
        shared: { outcome: "refused", message: "#390: cannot fuse the same-memory call to 'a#b'" },
      },
      core: {
        multi: { outcome: "fused" },
        shared: { outcome: "refused", message: "#390: cannot fuse the same-memory call to 'a#b'" },
      },
    });
    expect(() => observedMeld(a, rows.slice(1))).toThrow(
      "cannot record what meld does with app: the run has no multi component row",
    );
    expect(() =>
      observedMeld(a, [
        rowOf("multi", "component", cell("fuse", "crashed", false, "panicked"), passes),
        ...rows.slice(1),
      ]),
    ).toThrow("meld crashed (multi component): panicked");
  });

  test("the entry appended to a manifest loads back with the same expectation, awkward text included", () => {
    const dir = tempDir("seam-adhoc-entry");
    copyFileSync(HELLO, join(dir, "kept.wasm"));
    const file = join(dir, "kept.wasm");
    const spec: AdhocSpec = {
      args: ["two words", 'a "quote"', "ünï"],
      env: { K: "v: w # not a comment" },
      stdin: new TextEncoder().encode("line\n\ttab\u2028end"),
      invokes: [],
    };
    const stdout = 'out: "x"\n\r\u0007 ✓\n' + "a longer line of output, past yaml's fold width\n".repeat(3);
    const a = expectationFromRuns(
      { name: "kept", file },
      spec,
      [run({ stdout })],
      "wasmtime",
      "49.0.3",
      sha256(readFileSync(file)),
    );
    const meld = {
      component: { multi: { outcome: "pass" as const }, shared: { outcome: "refused" as const, message: "a: b # c" } },
      core: {
        multi: { outcome: "fused" as const },
        shared: { outcome: "refused" as const, message: 'it\'s "quoted"' },
      },
    };
    const path = join(dir, "manifest.yaml");
    for (const start of ["schema: seam.fixtures/1\nfixtures: []\n", "# header\nschema: seam.fixtures/1\nfixtures:\n"]) {
      const text = appendEntry(start, manifestEntry(a, "kept", meld), path);
      const { manifest, problems } = parseManifest(text, path);
      expect(problems).toEqual([]);
      const f = manifest.fixtures[0]!;
      expect([f.name, f.build, f.sources, f.relFile, f.args, f.env, new TextDecoder().decode(f.stdin)]).toEqual([
        "kept",
        "prebuilt",
        ["kept.wasm"],
        "kept.wasm",
        spec.args,
        spec.env,
        "line\n\ttab\u2028end",
      ]);
      expect(f.expect).toEqual({ kind: "exit", exit: 0, stdout });
      expect(f.meld).toEqual(meld.component);
      expect(f.meldCore).toEqual(meld.core);
      expect(f.reference?.engine).toBe("wasmtime");
    }
    const twice = appendEntry(
      appendEntry("schema: seam.fixtures/1\nfixtures:\n", manifestEntry(a, "kept", meld), path),
      manifestEntry(a, "kept", meld),
      path,
    );
    expect(parseManifest(twice, path).problems.map((p) => p.message)).toEqual([
      "duplicate name (first used on line 3)",
    ]);
  });

  test("an invoke entry keeps traps and reference-only results; a refusal is never saved", () => {
    const spec = { ...COMMAND, invokes: ["ns:p/i@0.1.0#f", "g", "h"] };
    const a = record(
      [
        run({ invoke: "ns:p/i@0.1.0#f", results: ["-3"] }),
        run({ invoke: "g", verdict: "trapped" }),
        run({ invoke: "h", results: ["[1, 2]"] }),
      ],
      spec,
    );
    const meld = {
      component: { multi: { outcome: "pass" as const }, shared: { outcome: "pass" as const } },
      core: { multi: { outcome: "fused" as const }, shared: { outcome: "fused" as const } },
    };
    const path = join(tempDir("seam-adhoc-invoke"), "manifest.yaml");
    const { manifest, problems } = parseManifest(
      appendEntry("schema: seam.fixtures/1\nfixtures: []\n", manifestEntry(a, "inv", meld), path),
      path,
      { checkFiles: false },
    );
    expect(problems).toEqual([]);
    expect(manifest.fixtures[0]!.invoke).toEqual(a.fixture.invoke);
    const refusal: AdhocFixture = record([run({ verdict: "failed", errorLine: "nope" })]);
    expect(() => manifestEntry(refusal, "x", meld)).toThrow(
      "cannot save x: no expectation could be recorded: wasmtime cannot run the original",
    );
  });

  test("a manifest whose fixtures list is not last, or written inline with entries, is refused", () => {
    expect(usage(() => appendEntry("fixtures:\n  - name: a\nschema: seam.fixtures/1\n", "x", "m.yaml"))).toBe(
      "m.yaml: fixtures is not the manifest's last key, so an entry cannot be appended",
    );
    expect(usage(() => appendEntry("schema: seam.fixtures/1\nfixtures: [{ name: a }]\n", "x", "m.yaml"))).toStartWith(
      "m.yaml: the fixtures list is written inline",
    );
  });
});
