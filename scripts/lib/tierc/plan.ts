/**
 * plan — tier-c's command line, checked before anything runs: its flags, then every input (the
 * corpus or the ad hoc files, the ledger, the base), then the outputs against them, then the tools (each
 * --kilnd/--meld build must answer like the tool). The result is the matrix's options and what tier-c
 * does around the run.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { adhocName, collectAdhocInputs, parseAdhocSpec } from "./adhoc/inputs.ts";
import { assignCalls, componentExportsOf, loadCallsFile } from "./adhoc/calls.ts";
import { checkSaveTarget } from "./adhoc/save-fixture.ts";
import {
  byteSize,
  enumList,
  enumValue,
  noDuplicates,
  parseCli,
  positiveInt,
  positiveSeconds,
  progress,
} from "../core/cli.ts";
import { loadResults, parseFailOn } from "../compare/io.ts";
import type { FailOn } from "../compare/types.ts";
import { usageError } from "../core/errors.ts";
import { checkOutputs } from "../core/fsx.ts";
import { bySignature, checkLedgerFixtures, loadLedger } from "./ledger.ts";
import { loadManifest } from "../fixtures/manifest.ts";
import {
  pickFixtures,
  MATRIX_DEFAULTS,
  parseShard,
  parseToolChoice,
  type MatrixOptions,
  type ToolChoice,
} from "./matrix.ts";
import { FORMS, MEMORY_MODES } from "../engines/records.ts";
import { ROOT } from "../core/paths.ts";
import { checkTool, checkTools } from "../tools/identity.ts";

import type { FlagSpec } from "../core/cli.ts";

/** Where results go without --out: under seam's root, like every default output (never the working folder). */
export const DEFAULT_OUT = join(ROOT, "out", "tier-c");

export const FLAGS = {
  fixture: { type: "string", multiple: true, default: [] as string[] },
  memory: { type: "string" },
  form: { type: "string" },
  out: { type: "string" },
  j: { type: "string", short: "j" },
  shard: { type: "string" },
  strict: { type: "boolean", default: false },
  "no-cache": { type: "boolean", default: false },
  reference: { type: "string" },
  ledger: { type: "string" },
  manifest: { type: "string", default: join(ROOT, "fixtures", "manifest.yaml") },
  timeout: { type: "string", default: String(MATRIX_DEFAULTS.timeoutMs / 1000) },
  fuel: { type: "string" },
  "memory-limit": { type: "string" },
  kilnd: { type: "string", multiple: true, default: [] as string[] },
  meld: { type: "string", multiple: true, default: [] as string[] },
  json: { type: "boolean", default: false },
  baseline: { type: "string" },
  "fail-on": { type: "string" },
  arg: { type: "string", multiple: true, default: [] as string[] },
  env: { type: "string", multiple: true, default: [] as string[] },
  stdin: { type: "string" },
  invoke: { type: "string", multiple: true, default: [] as string[] },
  calls: { type: "string" },
  "list-exports": { type: "boolean", default: false },
  "save-fixture": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} satisfies FlagSpec;
export type Values = ReturnType<typeof parseCli<typeof FLAGS>>["values"];

/** Where an ad hoc run writes without --out: out/adhoc/<name>/, named after the file or folder (never
 * out/tier-c, which holds the corpus's results). */
export function adhocOut(positionals: string[]): string {
  const name = positionals
    .map((p) => adhocName(basename(resolve(p))))
    .join("-")
    .slice(0, 80);
  return join(ROOT, "out", "adhoc", name);
}

/** Each ad hoc input's calls (`--invoke`, `--calls`), checked against its exports before anything runs;
 * components that take none of them and are no command are dropped with a line. */
function adhocCalls(values: Values, inputs: ReturnType<typeof collectAdhocInputs>) {
  const callsFile = values.calls === undefined ? undefined : loadCallsFile(values.calls, inputs.inputs);
  const { calls, skipped } = assignCalls(componentExportsOf(inputs.inputs), values.invoke, callsFile);
  inputs.inputs = inputs.inputs.filter((i) => calls.has(i.name));
  inputs.skipped.push(...skipped);
  return Object.fromEntries(calls);
}

/** What main does after parsing: the matrix's options, the ad hoc inputs, the base to compare with. */
export interface Plan {
  options: MatrixOptions;
  adhoc?: { inputs: ReturnType<typeof collectAdhocInputs>; spec: ReturnType<typeof parseAdhocSpec>; save?: string };
  ledgerPath?: string;
  manifestPath: string;
  baseline?: string;
  failOn: FailOn;
  json: boolean;
}

/** An ad hoc run's own rules: not with --fixture, and its flags only with FILE/DIR arguments. */
function checkAdhocFlags(values: Values, adhoc: boolean): void {
  const save = values["save-fixture"];
  if (adhoc && values.fixture.length)
    throw usageError(
      "--fixture picks corpus fixtures and FILE/DIR arguments run ad hoc: pass one or the other",
      "bun scripts/tier-c.ts my.wasm, or bun scripts/tier-c.ts --fixture NAME",
    );
  const used = (
    [
      ["--arg", values.arg.length],
      ["--env", values.env.length],
      ["--stdin", values.stdin !== undefined],
      ["--invoke", values.invoke.length],
      ["--calls", values.calls !== undefined],
      ["--list-exports", values["list-exports"]],
      ["--save-fixture", save !== undefined],
    ] as const
  ).find(([, on]) => on)?.[0];
  if (!adhoc && used)
    throw usageError(
      `${used} applies to an ad hoc run: name the component (FILE.wasm or DIR)`,
      `bun scripts/tier-c.ts my.wasm ${used} …`,
    );
}

/** The run's flags, checked: modes, forms, reference, jobs, timeout, fuel, shard. */
function runFlags(values: Values, adhoc: boolean) {
  const save = values["save-fixture"];
  const modes = enumList(
    "--memory",
    values.memory ?? (save !== undefined ? MEMORY_MODES.join(",") : MATRIX_DEFAULTS.modes.join(",")),
    MEMORY_MODES,
  );
  const forms = enumList("--form", values.form ?? FORMS.join(","), FORMS);
  const reference = enumValue("--reference", values.reference ?? (adhoc ? "wasmtime" : MATRIX_DEFAULTS.reference), [
    "jco",
    "wasmtime",
  ] as const);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (save !== undefined && (modes.length < MEMORY_MODES.length || forms.length < FORMS.length || shard))
    throw usageError(
      "--save-fixture records what meld does in both memory modes and both forms, so it needs the whole run",
      "drop --memory, --form and --shard (with --save-fixture the run covers them all)",
    );
  const jobs = values.j === undefined ? MATRIX_DEFAULTS.jobs : positiveInt("-j", values.j);
  const fuel = values.fuel === undefined ? undefined : positiveInt("--fuel", values.fuel, "1000000");
  return {
    modes,
    forms,
    reference,
    jobs,
    timeoutMs: positiveSeconds("--timeout", values.timeout) * 1000,
    ...(values["memory-limit"] !== undefined
      ? { memoryLimitBytes: byteSize("--memory-limit", values["memory-limit"]) }
      : {}),
    ...(fuel ? { fuel } : {}),
    ...(shard ? { shard } : {}),
  };
}

/** Every input the run reads (corpus or ad hoc), the ledger, and the base; then the outputs against them. */
function checkInputs(values: Values, positionals: string[], manifestPath: string) {
  const adhoc = positionals.length > 0;
  const save = values["save-fixture"];
  const inputs = adhoc ? collectAdhocInputs(positionals) : undefined;
  const callsByInput = inputs ? adhocCalls(values, inputs) : undefined;
  if (inputs && save !== undefined) {
    if (inputs.inputs.length !== 1)
      throw usageError(
        `--save-fixture keeps one component, and this run has ${inputs.inputs.length}`,
        "name the one file to keep",
      );
    checkSaveTarget(manifestPath, save);
  }
  const manifest = adhoc ? undefined : loadManifest(manifestPath);
  const fixtures = manifest ? pickFixtures(manifest, manifestPath, noDuplicates("--fixture", values.fixture)) : [];
  const ledgerPath =
    values.ledger !== undefined ? resolve(values.ledger) : join(dirname(manifestPath), "known-blockers.yaml");
  const loaded = loadLedger(ledgerPath, { required: values.ledger !== undefined });
  // An ad hoc run on the default ledger takes its entries scoped by signature: the others name corpus fixtures.
  const ledger = adhoc && values.ledger === undefined ? loaded.filter(bySignature) : loaded;
  // An ad hoc run's ledger may name corpus fixtures it does not run: only the corpus's is checked.
  if (ledgerPath && manifest)
    checkLedgerFixtures(
      ledger,
      manifest.fixtures.map((f) => f.name),
      ledgerPath,
    );
  const base = values.baseline === undefined ? undefined : loadResults(values.baseline);
  // The base may be the results.json this run replaces: it is moved aside (takeBaseline), not overwritten.
  const baseIsOurs = base !== undefined && resolve(base.file) === join(resolve(values.out!), "results.json");
  const read: [string, string][] = [
    ...(!adhoc || save !== undefined ? [["the manifest", manifestPath] as [string, string]] : []),
    ...(ledgerPath && existsSync(ledgerPath) ? [["the ledger", ledgerPath] as [string, string]] : []),
    ...fixtures.map((f): [string, string] => [`the fixture ${f.name}`, f.file]),
    ...(inputs?.inputs ?? []).map((i): [string, string] => [`the input ${i.name}`, i.file]),
    ...(base && !baseIsOurs ? [["the --baseline results", base.file] as [string, string]] : []),
  ];
  checkOutputs(read, [["--out", values.out!, "dir"]]);
  return { inputs, callsByInput, fixtures, ledger, ledgerPath };
}

/** Parses and checks everything before anything runs: inputs, outputs, then the tools. */
export async function plan(given: Values, positionals: string[]): Promise<Plan> {
  const adhoc = positionals.length > 0;
  const values = { ...given, out: given.out ?? (adhoc ? adhocOut(positionals) : DEFAULT_OUT) };
  checkAdhocFlags(values, adhoc);
  const flags = runFlags(values, adhoc);
  if (values["fail-on"] !== undefined && values.baseline === undefined)
    throw usageError("--fail-on applies to --baseline", "add --baseline BASE, or use `compare BASE HEAD --fail-on …`");
  const failOn = parseFailOn(values["fail-on"] ?? "regressed");
  const manifestPath = resolve(values.manifest);
  const { inputs, callsByInput, fixtures, ledger, ledgerPath } = checkInputs(values, positionals, manifestPath);
  const kilnd = values.kilnd.map(parseToolChoice);
  const meld = values.meld.map(parseToolChoice);
  await checkToolChoices(kilnd, meld);
  const save = values["save-fixture"];
  const options: MatrixOptions = {
    ...flags,
    fixtures,
    outDir: resolve(values.out),
    strict: values.strict,
    cache: !values["no-cache"],
    ledger,
    kilnd,
    meld,
    onProgress: progress,
  };
  const adhocPart = inputs
    ? { adhoc: { inputs, spec: { ...parseAdhocSpec(values), callsByInput }, ...(save !== undefined ? { save } : {}) } }
    : {};
  return {
    options,
    ...adhocPart,
    ...(ledgerPath ? { ledgerPath } : {}),
    manifestPath,
    ...(values.baseline ? { baseline: values.baseline } : {}),
    failOn,
    json: values.json,
  };
}

/** Every --kilnd/--meld build given, and the lookup's own choice when none is: each must be the tool. */
async function checkToolChoices(kilnd: ToolChoice[], meld: ToolChoice[]): Promise<void> {
  await checkTools();
  await Promise.all([
    ...kilnd.map((c) => checkTool("kilnd", { flag: c.path })),
    ...meld.map((c) => checkTool("meld", { flag: c.path })),
  ]);
}
