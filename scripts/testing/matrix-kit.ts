/**
 * matrix-kit — what the tier-c test files share: a temp folder with the fake kilnd (the test double
 * replaying kilnd 0.4.4), two fixtures (hello_c_cli, and a composed component built for the tests), and
 * helpers to run the matrix with a scenario per input. Tests only; call setUpMatrixKit in a beforeAll.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runMatrix } from "../lib/tierc/rows.ts";
import type { MatrixFixture, MatrixOptions } from "../lib/tierc/matrix.ts";
import type { RunRecord } from "../lib/engines/records.ts";
import { writeReports } from "../lib/tierc/write.ts";
import { type TierCReport } from "../lib/tierc/report.ts";
import { ROOT } from "../lib/core/paths.ts";
import { writeFakeKilnd, type Scenario } from "./fake-kilnd.ts";
import { providerConsumerWat, tempDir, watToWasm } from "./testkit.ts";

export const HELLO_LINE = "Hello wasm component world from C!\n";
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

export function judgeFor(expected: { stdout?: string; results?: Record<string, string> }) {
  return (r: RunRecord, invoke?: string) => {
    if (r.verdict !== "passed")
      return { ok: false, why: `expected a clean run, got ${r.verdict}: ${r.errorLine ?? ""}` };
    if (invoke) {
      const want = expected.results![invoke];
      return r.results?.[0] === want
        ? { ok: true, why: `${invoke} = ${want}` }
        : { ok: false, why: `${invoke} returned ${r.results?.[0]}, expected ${want}` };
    }
    return r.stdout === expected.stdout ? { ok: true, why: "stdout matches" } : { ok: false, why: "stdout differs" };
  };
}

/** A fresh folder, fake kilnd and fixtures for one test file. */
export async function setUpMatrixKit(): Promise<void> {
  work = tempDir("seam-tierc");
  kilnd = writeFakeKilnd(work);
  const composed = await watToWasm(work, "compute_composed", providerConsumerWat());
  fixtures = [
    {
      name: "hello_c_cli",
      file: join(ROOT, "fixtures", "hello_c_cli.wasm"),
      args: [],
      env: {},
      invokes: [],
      expectText: `stdout ${JSON.stringify(HELLO_LINE)}`,
      judge: judgeFor({ stdout: HELLO_LINE }),
    },
    {
      name: "compute_composed",
      file: composed,
      args: [],
      env: {},
      invokes: ["compute", "greet"],
      expectText: "compute() = 42, greet() = 7",
      judge: judgeFor({ results: { compute: "42", greet: "7" } }),
    },
  ];
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
