/**
 * adhoc — tier-c on any component, not only seam's corpus. The reference engine's behaviour on the
 * unfused original is the expectation; every other cell (kilnd on the original, meld's outputs on the
 * reference and on kilnd, in every memory mode and form) is judged against it by the manifest's own
 * judge: each input becomes a manifest `Fixture` carrying what the reference did, so `judgeRun` and
 * `resultMatches` (lib/judge.ts) judge it exactly as they judge the corpus.
 *
 * - inputs: files, or the components in a folder (not its subfolders); core modules there are skipped
 *   with a line, since meld fuses components;
 * - the expectation: a command's stdout bytes (exact when small, else sha256 and byte count), exit
 *   status (0, or non-zero, compared as non-zero) or trap; each `--invoke` export's one result or trap.
 *   When the reference cannot run the original, there is no expectation: the fixture carries the
 *   refusal, every run fails with it, and the row is `reference-fail`, never a silent pass;
 * - `--save-fixture NAME`: the expectation and what meld did, as a manifest entry (build `prebuilt`,
 *   its source the committed binary), appended atomically; an existing name is refused.
 * Used by scripts/tier-c.ts (positional inputs) and its tests. Nothing here prints or exits.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, stringify } from "yaml";
import { ResultCache, toolIdentity } from "./cache.ts";
import { SeamError, usageError } from "./errors.ts";
import { atomicWrite, requireFile, sha256, shownPath } from "./fsx.ts";
import { ENV_NAME, NAME } from "./manifest-entry.ts";
import { formatProblem } from "./yamlx.ts";
import {
  loadManifest,
  parseManifest,
  type Fixture,
  type InvokeCall,
  type MeldCoreExpectation,
  type MeldExpectation,
  type CommandExpectation,
} from "./manifest.ts";
import { limiter } from "./pool.ts";
import { MEMORY_MODES, type Engine, type MemoryMode, type RunRecord } from "./records.ts";
import type { Row } from "./tierc-report.ts";
import { lookupTool, missingToolError } from "./tools.ts";
import { parseWasmShape, readWasm } from "./wasm.ts";

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
  /** Exports to call; empty for a wasi:cli command. */
  invokes: string[];
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

/** Stdout up to this size is kept as exact text in the expectation; longer output by sha256 and size. */
export const EXACT_STDOUT_MAX = 4096;
/** The results kilnd --invoke prints: numbers (it types them I32, I64, F32, F64). Others are reference only. */
const NUMBER = /^(-?(\d+(\.\d*)?([eE][-+]?\d+)?|inf|Infinity)|NaN|nan)$/;
const ADHOC_WHY =
  "recorded ad hoc by tier-c on wasmtime, which also runs every fused output (jco 1.35 does not run a multi-memory core module)";
/** The code a recording's records depend on: part of its cache key, as SEAM_CODE is for tier-c's cells. */
const ADHOC_CODE = sha256(
  ["../run-kiln.ts", "proc.ts", "classify.ts", "jco-host.ts", "wasm.ts", "adhoc.ts"]
    .map((f) => readFileSync(join(import.meta.dir, f), "utf8"))
    .join("\0"),
);

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
    if (!statSync(p).isDirectory()) {
      const { shape } = readWasm(p, "input");
      if (shape.kind === "core")
        throw usageError(
          `${p} is a core module: tier-c fuses components`,
          "meld fuses components; run a core module on kilnd with `bun scripts/run-kiln.ts FILE`",
        );
      inputs.push({ name: adhocName(p), file: resolve(p) });
      continue;
    }
    const wasmFiles = readdirSync(p)
      .filter((n) => n.toLowerCase().endsWith(".wasm"))
      .sort();
    let found = 0;
    for (const n of wasmFiles) {
      const file = join(p, n);
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
      found++;
    }
    if (!found)
      throw usageError(
        `${p} holds no component (${wasmFiles.length} .wasm file(s) there, none a component)`,
        "tier-c reads the .wasm files directly in a folder, not its subfolders; pass the component's folder or file",
      );
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
  const env: Record<string, string> = {};
  for (const kv of flags.env) {
    const at = kv.indexOf("=");
    const key = kv.slice(0, Math.max(at, 0));
    if (at <= 0 || !ENV_NAME.test(key))
      throw usageError(`--env expects NAME=VALUE with NAME a variable name, got: ${kv}`, "e.g. --env GREETING=hello");
    env[key] = kv.slice(at + 1);
  }
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

/** A command's stdout as an expectation: the exact text when it is small and UTF-8, else sha256 and size. */
function stdoutExpectation(r: RunRecord): Omit<Extract<CommandExpectation, { kind: "exit" }>, "kind" | "exit"> {
  const text = new TextEncoder().encode(r.stdout);
  const exact =
    !r.stdoutTruncated &&
    r.stdoutBytes <= EXACT_STDOUT_MAX &&
    text.length === r.stdoutBytes &&
    sha256(text) === r.stdoutSha256;
  return exact ? { stdout: r.stdout } : { stdoutSha256: r.stdoutSha256, stdoutBytes: r.stdoutBytes };
}

const failure = (r: RunRecord) => `${r.verdict}${r.errorLine ? ` (${r.errorLine})` : ""}`;

/**
 * Turns the reference's runs on an original into a manifest fixture whose expectation they meet, or a
 * refusal saying why they give none. Pure: `records` are the runs (one per invoke, or the command's one).
 */
export function expectationFromRuns(
  input: AdhocInput,
  spec: AdhocSpec,
  records: RunRecord[],
  engine: ReferenceEngine,
  engineVersion: string,
  fileSha256: string,
): AdhocFixture {
  const recordedOn = `${engine} ${engineVersion}`;
  const rel = `${input.name}.wasm`;
  const fixture: Fixture = {
    name: input.name,
    kind: spec.invokes.length ? "invoke" : "command",
    summary: `${basename(input.file)}, run ad hoc (expectation recorded on ${recordedOn})`,
    file: input.file,
    relFile: rel,
    sha256: fileSha256,
    build: "prebuilt",
    sources: [rel],
    sourcePaths: [input.file],
    args: spec.args,
    env: spec.env,
    ...(spec.stdin ? { stdin: spec.stdin } : {}),
    expect: null,
    invoke: [],
    // What meld does is not known before the run; tier-c records it for --save-fixture from the rows.
    // jco 1.35 cannot run a multi-memory core module, which is what multi memory makes of a composition.
    meld: {
      multi: { outcome: "pass", ...(engine === "jco" ? { reference: "wasmtime" as const } : {}) },
      shared: { outcome: "pass" },
    },
    ...(engine === "wasmtime" ? { reference: { engine, why: ADHOC_WHY } } : {}),
    line: 0,
  };
  const refuse = (why: string): AdhocFixture => ({
    fixture,
    refusal: `no expectation could be recorded: ${why}`,
    recordedOn,
    records,
  });
  const missing = records.find((r) => r.verdict === "missing-engine");
  if (missing) return refuse(`${engine} missing: ${missing.errorLine ?? ""}`);
  if (!spec.invokes.length) {
    const r = records[0];
    if (!r || records.length !== 1) return refuse(`expected one run of the command, got ${records.length}`);
    if (r.verdict === "trapped") fixture.expect = { kind: "trap" };
    else if (r.verdict === "passed") fixture.expect = { kind: "exit", exit: 0, ...stdoutExpectation(r) };
    else if (r.verdict === "exit-nonzero") {
      const status = r.guestExit === undefined ? r.exitCode : r.guestExit;
      if (!status) return refuse(`${engine} says the original exited non-zero but reports status ${status}`);
      fixture.expect = { kind: "exit", exit: Math.min(status, 255), ...stdoutExpectation(r) };
    } else {
      return refuse(
        `${engine} cannot run the original as a wasi:cli command: ${failure(r)}; if it is not a command, name the exports to call with --invoke`,
      );
    }
    return { fixture, recordedOn, records };
  }
  const calls: InvokeCall[] = [];
  for (const name of spec.invokes) {
    const r = records.find((x) => x.invoke === name);
    if (!r) return refuse(`no run of ${name}`);
    if (r.verdict === "trapped") {
      calls.push({ export: name, trap: true, referenceOnly: false });
      continue;
    }
    if (r.verdict !== "passed") return refuse(`${engine} cannot call ${name} on the original: ${failure(r)}`);
    const results = (r.results ?? []).filter((x) => x !== "()");
    if (results.length !== 1)
      return refuse(
        `${name} returns ${results.length ? results.join(", ") : "nothing"} on ${engine}: seam judges an export by its one result`,
      );
    calls.push({ export: name, result: results[0]!, trap: false, referenceOnly: !NUMBER.test(results[0]!) });
  }
  if (calls.every((c) => c.referenceOnly)) {
    return refuse(
      `kilnd --invoke prints numbers only, and none of ${spec.invokes.join(", ")} returns one (${calls.map((c) => `${c.export} = ${c.result}`).join(", ")}): name an export that returns a number or traps`,
    );
  }
  fixture.invoke = calls;
  return { fixture, recordedOn, records };
}

/** A reference run of one original (run-kiln's runComponent, passed in: lib/ imports no script). */
export type ReferenceRunner = (o: {
  wasm: string;
  engine: ReferenceEngine;
  invoke?: string;
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  timeoutMs: number;
  enginePath: string;
  hostEnv?: Record<string, string | undefined>;
}) => Promise<RunRecord>;

export interface RecordOptions {
  engine: ReferenceEngine;
  run: ReferenceRunner;
  /** tier-c's cache folder (OUT/.cache): a recording is cached like any cell, by content. */
  cacheDir: string;
  cache: boolean;
  timeoutMs: number;
  jobs: number;
  /** Environment for the engine lookup and its runs (tests inject one); defaults to process.env. */
  hostEnv?: Record<string, string | undefined>;
  onProgress?: (line: string) => void;
}

/**
 * Records each input's expectation from the reference engine on the unfused original: cached by the
 * input's bytes, the flags, the engine binary and seam's run code, so a warm rerun launches nothing.
 */
export async function recordExpectations(
  inputs: AdhocInput[],
  spec: AdhocSpec,
  o: RecordOptions,
): Promise<AdhocFixture[]> {
  const cache = new ResultCache(o.cacheDir, o.cache);
  const lookup = lookupTool(o.engine, { env: o.hostEnv });
  const tool = lookup.found ? await toolIdentity(cache.dir, lookup.found) : undefined;
  const limit = limiter(o.jobs);
  return Promise.all(
    inputs.map((input) =>
      limit(async () => {
        const sha = sha256(readFileSync(input.file));
        if (!tool) {
          const e = missingToolError(lookup);
          return {
            ...expectationFromRuns(input, spec, [], o.engine, "absent", sha),
            refusal: `no expectation could be recorded: ${o.engine} missing: ${e.message}; fix: ${e.hint}`,
          };
        }
        const key = cache.key({
          v: 1,
          adhoc: ADHOC_CODE,
          engine: o.engine,
          tool: tool.sha256,
          sha,
          args: spec.args,
          env: spec.env,
          stdin: spec.stdin ? sha256(spec.stdin) : null,
          invokes: spec.invokes,
          timeout: o.timeoutMs,
        });
        let records = cache.get<RunRecord[]>(key);
        const cached = !!records;
        if (!records) {
          records = [];
          for (const invoke of spec.invokes.length ? spec.invokes : [undefined]) {
            records.push(
              await o.run({
                wasm: input.file,
                engine: o.engine,
                ...(invoke ? { invoke } : {}),
                args: spec.args,
                env: spec.env,
                ...(spec.stdin ? { stdin: spec.stdin } : {}),
                timeoutMs: o.timeoutMs,
                enginePath: tool.path,
                ...(o.hostEnv ? { hostEnv: o.hostEnv } : {}),
              }),
            );
          }
          // A timeout says nothing about the input: never cache it.
          if (!records.some((r) => r.verdict === "timeout" || r.verdict === "missing-engine")) cache.put(key, records);
        }
        const a = expectationFromRuns(input, spec, records, o.engine, tool.version, sha);
        o.onProgress?.(
          `ad hoc ${input.name}: ${a.refusal ?? `expectation recorded on ${a.recordedOn}`}${cached ? " (cached)" : ""}`,
        );
        return a;
      }),
    ),
  );
}

// ---------------------------------------------------------------- --save-fixture

/** What the run saw meld do with one input, in the manifest's words. */
export interface ObservedMeld {
  component: Record<MemoryMode, MeldExpectation>;
  core: Record<MemoryMode, MeldCoreExpectation>;
}

/**
 * meld's outcome per memory mode and form as the run's rows show it: the component form's fuse cell and
 * the reference on its output (pass or misfused, with the engine's words), or meld's refusal; the core
 * form's fuse cell (fused or refused). Throws a SeamError when the rows cannot say (a mode or form not
 * run, meld absent or crashed, the reference skipped).
 */
export function observedMeld(a: AdhocFixture, rows: Row[]): ObservedMeld {
  const out: Partial<ObservedMeld> = { component: {} as ObservedMeld["component"], core: {} as ObservedMeld["core"] };
  const cant = (why: string) =>
    new SeamError(`cannot record what meld does with ${a.fixture.name}: ${why}`, {
      hint: "a manifest entry records pass, refused or misfused per memory mode and form",
      exitCode: 1,
    });
  for (const mode of MEMORY_MODES) {
    for (const form of ["component", "core"] as const) {
      const row = rows.find((r) => r.fixture === a.fixture.name && r.mode === mode && r.form === form);
      if (!row) throw cant(`the run has no ${mode} ${form} row`);
      const fuse = row.cells.find((c) => c.step === "fuse")!;
      if (fuse.status === "refused") {
        if (form === "component") out.component![mode] = { outcome: "refused", message: fuse.detail };
        else out.core![mode] = { outcome: "refused", message: fuse.detail };
        continue;
      }
      if (fuse.status !== "fused") throw cant(`meld ${fuse.status} (${mode} ${form}): ${fuse.detail}`);
      if (form === "core") {
        out.core![mode] = { outcome: "fused" };
        continue;
      }
      const ref = row.cells.find((c) => c.step === "reference(fused)")!;
      if (ref.ok === null) throw cant(`the reference did not run meld's ${mode} output: ${ref.detail}`);
      const reference = a.fixture.meld[mode].reference;
      out.component![mode] = {
        outcome: ref.ok ? "pass" : "misfused",
        ...(ref.ok ? {} : { message: ref.detail }),
        ...(reference ? { reference } : {}),
      };
    }
  }
  return out as ObservedMeld;
}

/** A string as one double-quoted YAML line (escapes, never folded), as the manifest writes values. */
const q = (s: string) =>
  stringify(s, {
    defaultStringType: "QUOTE_DOUBLE",
    lineWidth: 0,
    doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER,
  }).trimEnd();

/** The manifest entry (YAML, as an item of `fixtures:`) of an ad hoc fixture saved under `name`. */
export function manifestEntry(a: AdhocFixture, name: string, meld: ObservedMeld): string {
  const f = a.fixture;
  if (a.refusal) throw new SeamError(`cannot save ${name}: ${a.refusal}`, { exitCode: 1 });
  const rel = `${name}.wasm`;
  const lines = [
    `  - name: ${name}`,
    `    kind: ${f.kind}`,
    `    summary: ${q(f.summary)}`,
    `    file: ${rel}`,
    `    sha256: ${f.sha256}`,
    "    build: prebuilt",
    `    sources: [${rel}]`,
  ];
  if (f.args.length) lines.push(`    args: [${f.args.map(q).join(", ")}]`);
  if (Object.keys(f.env).length)
    lines.push("    env:", ...Object.entries(f.env).map(([k, v]) => `      ${k}: ${q(v)}`));
  if (f.stdin) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(f.stdin);
    } catch {
      throw new SeamError(`cannot save ${name}: its --stdin is not UTF-8 text, and a manifest's stdin is`, {
        exitCode: 2,
      });
    }
    lines.push(`    stdin: ${q(text)}`);
  }
  const e = f.expect;
  if (e?.kind === "trap") lines.push("    expect:", "      trap: true");
  else if (e) {
    lines.push("    expect:", ...(e.exit ? [`      exit: ${e.exit}`] : []));
    if (e.stdout !== undefined) lines.push(`      stdout: ${q(e.stdout)}`);
    else lines.push(`      stdout_sha256: ${e.stdoutSha256}`, `      stdout_bytes: ${e.stdoutBytes}`);
  }
  if (f.invoke.length) {
    lines.push("    invoke:");
    for (const c of f.invoke) {
      lines.push(
        `      - export: ${q(c.export)}`,
        c.trap ? "        trap: true" : `        result: ${q(c.result!)}`,
        ...(c.referenceOnly ? ["        reference_only: true"] : []),
      );
    }
  }
  lines.push("    meld:");
  for (const mode of MEMORY_MODES) {
    const m = meld.component[mode];
    if (m.outcome === "pass" && !m.reference) lines.push(`      ${mode}: pass`);
    else
      lines.push(
        `      ${mode}:`,
        `        outcome: ${m.outcome}`,
        ...(m.message ? [`        message: ${q(m.message)}`] : []),
        ...(m.reference ? [`        reference: ${m.reference}`] : []),
      );
  }
  const core = (c: MeldCoreExpectation) =>
    c.outcome === "fused" ? "fused" : `{ outcome: refused, message: ${q(c.message ?? "")} }`;
  lines.push(`      core: { multi: ${core(meld.core.multi)}, shared: ${core(meld.core.shared)} }`);
  if (f.reference) lines.push(`    reference: { engine: ${f.reference.engine}, why: ${q(f.reference.why)} }`);
  return lines.join("\n") + "\n";
}

/** The manifest text with `entry` added as the last fixture; throws when the list cannot take one there. */
export function appendEntry(text: string, entry: string, path: string): string {
  const doc = parseDocument(text);
  const root = doc.contents;
  const pair = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === "fixtures") : undefined;
  const list = pair?.value;
  const empty = isScalar(list) && list.value === null; // `fixtures:` with nothing under it yet
  if (!isMap(root) || !pair || (!empty && !(isSeq(list) && list.range)))
    throw usageError(
      `${shownPath(path)} has no fixtures list to add to`,
      "pass a seam fixture manifest with --manifest",
    );
  if (root.items[root.items.length - 1] !== pair)
    throw usageError(
      `${shownPath(path)}: fixtures is not the manifest's last key, so an entry cannot be appended`,
      "move the fixtures list to the end of the file",
    );
  let base = text;
  if (!isSeq(list)) return `${base.replace(/\s*$/, "\n")}${entry}`;
  if (list.flow && list.range) {
    if (list.items.length)
      throw usageError(
        `${shownPath(path)}: the fixtures list is written inline ([…]), so an entry cannot be appended`,
        "write it as a block list (one `- name:` per fixture)",
      );
    base = text.slice(0, list.range[0]) + text.slice(list.range[1]); // `fixtures: []` → `fixtures:`
  }
  base = base.replace(/\s*$/, "\n");
  return list.items.length ? `${base}\n${entry}` : `${base}${entry}`;
}

/** Checks before any run that `name` can be saved into the manifest: a valid name, no such fixture, no
 * such file, a list to append to. Throws a usage error (exit 2) naming the problem. */
export function checkSaveTarget(manifestPath: string, name: string): void {
  if (!NAME.test(name))
    throw usageError(
      `--save-fixture ${name}: a fixture name is lower-case letters, digits and _, starting with a letter`,
      "e.g. --save-fixture my_component",
    );
  const m = loadManifest(manifestPath);
  const taken = m.fixtures.find((f) => f.name === name);
  if (taken)
    throw usageError(
      `fixture ${name} already exists in ${shownPath(manifestPath)} (line ${taken.line})`,
      "choose another --save-fixture NAME; seam never overwrites a fixture",
    );
  const wasm = join(dirname(manifestPath), `${name}.wasm`);
  if (existsSync(wasm))
    throw usageError(
      `${shownPath(wasm)} already exists`,
      "choose another --save-fixture NAME; seam never overwrites a fixture",
    );
  appendEntry(readFileSync(manifestPath, "utf8"), "", manifestPath);
}

/**
 * Keeps an ad hoc fixture: copies the component to NAME.wasm beside the manifest and appends its entry,
 * both atomically, after checking the new manifest validates with the file in place. Refuses an existing
 * name or file (exit 2); on any failure nothing is left behind.
 */
export function saveFixture(
  a: AdhocFixture,
  rows: Row[],
  o: { name: string; manifestPath: string },
): { manifest: string; wasm: string } {
  checkSaveTarget(o.manifestPath, o.name);
  const entry = manifestEntry(a, o.name, observedMeld(a, rows));
  const text = appendEntry(readFileSync(o.manifestPath, "utf8"), entry, o.manifestPath);
  const wasm = join(dirname(o.manifestPath), `${o.name}.wasm`);
  atomicWrite(wasm, readFileSync(a.fixture.file));
  try {
    const { problems } = parseManifest(text, o.manifestPath);
    if (problems.length)
      throw new SeamError(`the saved entry would not validate: ${formatProblem(o.manifestPath, problems[0]!)}`, {
        exitCode: 1,
      });
    atomicWrite(o.manifestPath, text);
  } catch (e) {
    rmSync(wasm, { force: true });
    throw e;
  }
  return { manifest: o.manifestPath, wasm };
}

/** The report notices of an ad hoc run: what was skipped, and where the expectations came from. */
export function adhocNotices(fixtures: AdhocFixture[], skipped: string[], ledger: string | undefined): string[] {
  const on = [...new Set(fixtures.map((f) => f.recordedOn))].join(", ");
  return [
    ...skipped,
    `ad hoc run: each expectation was recorded from ${on} on the unfused original; ${ledger ? `known blockers from ${shownPath(ledger)}` : "no known-blocker ledger (its entries name corpus fixtures; pass --ledger FILE to use one)"}`,
  ];
}
