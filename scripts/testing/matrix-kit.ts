/**
 * matrix-kit — what the tier-c test files share: a temp folder with the fake kilnd (the test double
 * replaying kilnd 0.4.4), two fixtures (the corpus's hello_c_cli, and a composed component built for the
 * tests, read from a manifest entry like the corpus's: both judged by lib/fixtures/judge.ts), and helpers to
 * run the matrix with a scenario per input. Tests only; call setUpMatrixKit in a beforeAll.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runMatrix } from "../lib/tierc/rows.ts";
import { loadFixtures, type MatrixFixture, type MatrixOptions } from "../lib/tierc/matrix.ts";
import { sha256File } from "../lib/core/fsx.ts";
import { writeReports } from "../lib/tierc/write.ts";
import type { TierCReport } from "../lib/tierc/report.ts";
import { ROOT } from "../lib/core/paths.ts";
import { writeFakeKilnd, type Scenario } from "./fake-kilnd.ts";
import { providerConsumerWat, tempDir, watToWasm } from "./testkit.ts";

export const MANIFEST = join(ROOT, "fixtures", "manifest.yaml");
export const LEDGER_YAML = `blockers:
  - ref: kiln#375
    title: cross-core imports
    signature: { category: Runtime, code: E0BBB, message: "Export not found" }
    fixtures: [hello_c_cli]
    modes: [multi]
    forms: [component]
`;

export let work: string;
export let kilnd: string;
export let fixtures: MatrixFixture[];

/** The composed component's entry, as a manifest writes it: the real manifest reader and judge take it from here. */
function composedEntry(sha: string): string {
  return `schema: seam.fixtures/1
fixtures:
  - name: compute_composed
    kind: invoke
    summary: provider add(a, b) and consumer compute() = add(20, 22), greet() = add(3, 4), built for the tests
    file: compute_composed.wasm
    sha256: ${sha}
    build: wat
    sources: [compute_composed.wat]
    invoke:
      - export: compute
        result: "42"
      - export: greet
        result: "7"
    meld:
      multi: pass
      shared: pass
`;
}

/** A fresh folder, fake kilnd and fixtures for one test file, each judged as tier-c judges the corpus. */
export async function setUpMatrixKit(): Promise<void> {
  work = tempDir("seam-tierc");
  kilnd = writeFakeKilnd(work);
  const composed = await watToWasm(work, "compute_composed", providerConsumerWat());
  const manifest = join(work, "manifest.yaml");
  writeFileSync(manifest, composedEntry(sha256File(composed)));
  fixtures = [...loadFixtures(MANIFEST, ["hello_c_cli"]), ...loadFixtures(manifest, [])];
}

/** Fake-kilnd rules: scenario per wasm path substring. Fused files are <key>.<form>.fused.wasm in the cache, fused.<form>.wasm in a bundle. */
export function rules(name: string, r: { match: string; scenario: Scenario }[]): string {
  const p = join(work, `${name}.rules.json`);
  writeFileSync(p, JSON.stringify(r));
  return p;
}

export function opts(
  tag: string,
  over: Partial<MatrixOptions> & { scenario?: Scenario; rules?: string } = {},
): MatrixOptions {
  const { scenario, rules: rulesFile, ...rest } = over;
  return {
    fixtures,
    modes: ["multi"],
    forms: ["component"],
    outDir: join(work, tag),
    jobs: 2,
    strict: false,
    cache: true,
    ledger: [],
    reference: "wasmtime",
    timeoutMs: 20_000,
    kilnd,
    env: {
      ...process.env,
      FAKE_KILND_SCENARIO: scenario ?? "run",
      FAKE_KILND_RULES: rulesFile ?? "",
      FAKE_KILND_LOG: join(work, `${tag}.launches`),
    },
    ...rest,
  };
}

/** A kilnd that runs components (the guest runs for real) but fails fused ones with `scenario`. */
export const fusedOnly = (scenario: Scenario) => rules(`fused-${scenario}`, [{ match: "fused.", scenario }]);

export const verdicts = (r: TierCReport) =>
  Object.fromEntries(r.rows.map((x) => [`${x.fixture}/${x.mode}/${x.form}`, x.verdict]));
export const launches = (tag: string) =>
  existsSync(join(work, `${tag}.launches`))
    ? readFileSync(join(work, `${tag}.launches`), "utf8")
        .split("\n")
        .filter(Boolean).length
    : 0;

export async function matrix(o: MatrixOptions): Promise<TierCReport> {
  const r = await runMatrix(o);
  writeReports(r, o.outDir);
  return r;
}
