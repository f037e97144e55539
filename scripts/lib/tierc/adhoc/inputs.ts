/**
 * inputs — tier-c on any component, not only seam's corpus. The reference engine's behaviour on the
 * unfused original is the expectation; every other cell (kilnd on the original, meld's outputs on the
 * reference and on kilnd, in every memory mode and form) is judged against it by the corpus's own
 * judge: each input becomes a manifest `Fixture` carrying what the reference did, so `judgeRun` and
 * `resultMatches` (lib/fixtures/judge.ts) judge it exactly as they judge the corpus.
 *
 * - inputs (here): files, or the components in a folder (not its subfolders); core modules there are
 *   skipped with a line, since meld fuses components; the flags every input gets (--arg, --env, --stdin,
 *   --invoke), and the report's notices;
 * - the expectation (lib/tierc/adhoc/record.ts): a command's stdout bytes (exact when small, else sha256 and
 *   byte count), exit status (0, or non-zero, compared as non-zero) or trap; each `--invoke` export's one
 *   result or trap. When the reference cannot run the original, there is no expectation: the fixture
 *   carries the refusal, every run fails with it, and the row is `reference-fail`, never a silent pass;
 * - `--save-fixture NAME` (lib/tierc/adhoc/save-fixture.ts): the expectation and what meld did, as a manifest entry
 *   (build `prebuilt`, its source the committed binary), appended atomically; an existing name is refused.
 * Used by scripts/tier-c.ts (positional inputs) and its tests. Nothing here prints or exits.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { usageError } from "../../core/errors.ts";
import { requireFile, shownPath } from "../../core/fsx.ts";
import type { Fixture } from "../../fixtures/fixture.ts";
import { NAME } from "../../fixtures/entry.ts";
import { keyValues } from "../../core/cli.ts";
import type { Engine, RunRecord } from "../../engines/records.ts";
import { parseWasmShape, readWasm } from "../../core/wasm.ts";

export type ReferenceEngine = Exclude<Engine, "kiln">;

/** One component to run ad hoc, named after its file. */
export interface AdhocInput {
  name: string;
  file: string;
}

/** What a run gives every input: the flags a manifest entry would hold. */
export interface AdhocSpec {
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  /** Exports to call (`name` or `name(arg, …)`); empty for a wasi:cli command. */
  invokes: string[];
  /** Each input's own calls (by input name), when they differ per component (folders, --calls). */
  callsByInput?: Record<string, string[]>;
}

export interface AdhocFixture {
  /** A manifest fixture holding the recorded expectation (build `prebuilt`, meld outcomes not yet known). */
  fixture: Fixture;
  /** Why no expectation could be recorded: every run of this fixture fails with it (reference-fail). */
  refusal?: string;
  /** The engine the expectation comes from, e.g. "wasmtime 49.0.3". */
  recordedOn: string;
  /** The reference's runs on the original that the expectation was read from. */
  records: RunRecord[];
}

/** A file's fixture name under the manifest's rule (lower-case letters, digits, _; a letter first). */
export function adhocName(file: string): string {
  const stem = basename(file)
    .replace(/\.wasm$/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!stem) return "component";
  return NAME.test(stem) ? stem : `c_${stem}`;
}

/** The components directly in a folder; a `.wasm` file that is not a component is skipped with a line. */
function componentsIn(dir: string, skipped: string[]): AdhocInput[] {
  const wasmFiles = readdirSync(dir)
    .filter((n) => n.toLowerCase().endsWith(".wasm"))
    .sort();
  const inputs: AdhocInput[] = [];
  for (const n of wasmFiles) {
    const file = join(dir, n);
    const shown = shownPath(file);
    if (!statSync(file).isFile()) {
      skipped.push(`${shown}: not a file, skipped`);
      continue;
    }
    let kind: string;
    try {
      kind = parseWasmShape(readFileSync(file)).kind;
    } catch (e) {
      skipped.push(`${shown}: not a WebAssembly file (${(e as Error).message}), skipped`);
      continue;
    }
    if (kind === "core") {
      skipped.push(`${shown}: a core module, skipped (tier-c fuses components)`);
      continue;
    }
    inputs.push({ name: adhocName(n), file: resolve(file) });
  }
  if (!inputs.length)
    throw usageError(
      `${dir} holds no component (${wasmFiles.length} .wasm file(s) there, none a component)`,
      "tier-c reads the .wasm files directly in a folder, not its subfolders; pass the component's folder or file",
    );
  return inputs;
}

/**
 * The inputs of an ad hoc run: each file (a component, else a usage error), and every component directly
 * in each folder (not its subfolders); `.wasm` files in a folder that are core modules or not wasm are
 * skipped, each with a line in `skipped`. A folder with no component, or two inputs with one name, is a
 * usage error (exit 2).
 */
export function collectAdhocInputs(paths: string[]): { inputs: AdhocInput[]; skipped: string[] } {
  const inputs: AdhocInput[] = [];
  const skipped: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw usageError(`${p} not found`, "pass .wasm components, or folders holding them");
    if (statSync(p).isDirectory()) {
      inputs.push(...componentsIn(p, skipped));
      continue;
    }
    const { shape } = readWasm(p, "input");
    if (shape.kind === "core")
      throw usageError(
        `${p} is a core module: tier-c fuses components`,
        "meld fuses components; run a core module on kilnd with `bun scripts/run-kiln.ts FILE`",
      );
    inputs.push({ name: adhocName(p), file: resolve(p) });
  }
  const byName = new Map<string, string>();
  for (const i of inputs) {
    const first = byName.get(i.name);
    if (first !== undefined)
      throw usageError(
        first === i.file
          ? `${shownPath(i.file)} is given twice`
          : `${shownPath(first)} and ${shownPath(i.file)} both make the fixture name ${i.name}`,
        "rename one of them, or run them apart",
      );
    byName.set(i.name, i.file);
  }
  return { inputs, skipped };
}

/** Reads the ad hoc flags into a spec; a malformed one is a usage error (exit 2), found before any run. */
export function parseAdhocSpec(flags: { arg: string[]; env: string[]; stdin?: string; invoke: string[] }): AdhocSpec {
  const env = keyValues("--env", flags.env);
  if (flags.invoke.length && (flags.arg.length || flags.stdin !== undefined)) {
    throw usageError(
      "--arg and --stdin are for commands: --invoke calls exports, which take no arguments here",
      "drop --invoke to run the component as a wasi:cli command, or drop --arg/--stdin",
    );
  }
  const twice = flags.invoke.find((x, i) => flags.invoke.indexOf(x) !== i);
  if (twice) throw usageError(`--invoke ${twice} is given twice`);
  let stdin: Uint8Array | undefined;
  if (flags.stdin !== undefined) {
    requireFile(flags.stdin, "--stdin file");
    stdin = readFileSync(flags.stdin);
  }
  return { args: flags.arg, env, invokes: flags.invoke, ...(stdin ? { stdin } : {}) };
}

/** The report notices of an ad hoc run: what was skipped, and where the expectations came from. */
export function adhocNotices(fixtures: AdhocFixture[], skipped: string[], ledger: string | undefined): string[] {
  const on = [...new Set(fixtures.map((f) => f.recordedOn))].join(", ");
  return [
    ...skipped,
    `ad hoc run: each expectation was recorded from ${on} on the unfused original; ${ledger ? `known blockers from ${shownPath(ledger)} (on the default ledger, its entries scoped by signature: the others name corpus fixtures)` : "no known-blocker ledger"}`,
  ];
}
