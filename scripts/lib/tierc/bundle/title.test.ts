import { expect, test } from "bun:test";
import { reproTitle } from "./title.ts";
import type { ReproInput } from "./steps.ts";
import type { Row } from "../report.ts";

test("a bundle's title names kilnd by its bare version, whatever provenance follows it", () => {
  const row = { fixture: "f", mode: "multi", form: "core", verdict: "pass", outcome: "ok", why: "w", cells: [] } as Row;
  const input = (kilnd: string) =>
    ({ side: "kiln", fixture: "f", mode: "multi", form: "core", steps: [], tools: { kilnd } }) as unknown as ReproInput;
  const titles = [
    "0.4.4 (release asset x86_64-unknown-linux-gnu, sha256 865e5031cfdd…), sha256 `8888`",
    "0.5.0-dev (built from ../kiln at 9f4608c80246 dirty), sha256 `8888`",
    "version not reported (kilnd has no --version), sha256 `8888`",
  ].map((k) => reproTitle(input(k), row));
  expect(titles).toEqual([
    "kilnd 0.4.4: w (f, multi memory)",
    "kilnd 0.5.0-dev: w (f, multi memory)",
    "kilnd: w (f, multi memory)",
  ]);
});
