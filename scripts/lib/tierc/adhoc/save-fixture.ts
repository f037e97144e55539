/**
 * save-fixture — `tier-c FILE.wasm --save-fixture NAME`: keeps a component run ad hoc (lib/tierc/adhoc/inputs.ts) as a
 * corpus fixture. Its expectation and what meld did with it, read off the run's rows, become a manifest
 * entry (build `prebuilt`, its one source the committed binary) appended to fixtures/manifest.yaml, and
 * the component is copied beside it as NAME.wasm, both atomically; an existing name or file is refused.
 * Used by scripts/tier-c.ts and the tests. Nothing here prints or exits.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, stringify } from "yaml";
import type { AdhocFixture } from "./inputs.ts";
import { EXIT, SeamError, usageError } from "../../core/errors.ts";
import { atomicWrite, shownPath } from "../../core/fsx.ts";
import { loadManifest, parseManifest } from "../../fixtures/manifest.ts";
import type { Fixture, MeldCoreExpectation, MeldExpectation } from "../../fixtures/fixture.ts";
import { NAME } from "../../fixtures/entry.ts";
import { MEMORY_MODES, type MemoryMode } from "../../engines/records.ts";
import type { Row } from "../report.ts";
import { formatProblem } from "../../core/yamlx.ts";

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
      exitCode: EXIT.fail,
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
function yamlString(s: string): string {
  return stringify(s, {
    defaultStringType: "QUOTE_DOUBLE",
    lineWidth: 0,
    doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER,
  }).trimEnd();
}

/** The entry's lines for what a command gets: `args`, `env` and `stdin` (which must be UTF-8 text). */
function inputLines(f: Fixture, name: string): string[] {
  const lines: string[] = [];
  if (f.args.length) lines.push(`    args: [${f.args.map(yamlString).join(", ")}]`);
  if (Object.keys(f.env).length)
    lines.push("    env:", ...Object.entries(f.env).map(([k, v]) => `      ${k}: ${yamlString(v)}`));
  if (f.stdin) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(f.stdin);
    } catch {
      throw new SeamError(`cannot save ${name}: its --stdin is not UTF-8 text, and a manifest's stdin is`, {
        exitCode: EXIT.usage,
      });
    }
    lines.push(`    stdin: ${yamlString(text)}`);
  }
  return lines;
}

/** The entry's lines for how it is judged: `expect` for a command, `invoke` calls for exports. */
function judgingLines(f: Fixture): string[] {
  const lines: string[] = [];
  const e = f.expect;
  if (e?.kind === "trap") lines.push("    expect:", "      trap: true");
  else if (e) {
    lines.push("    expect:", ...(e.exit ? [`      exit: ${e.exit}`] : []));
    if (e.stdout !== undefined) lines.push(`      stdout: ${yamlString(e.stdout)}`);
    else lines.push(`      stdout_sha256: ${e.stdoutSha256}`, `      stdout_bytes: ${e.stdoutBytes}`);
  }
  if (f.invoke.length) {
    lines.push("    invoke:");
    for (const c of f.invoke) {
      lines.push(
        `      - export: ${yamlString(c.export)}`,
        c.trap ? "        trap: true" : `        result: ${yamlString(c.result!)}`,
        ...(c.referenceOnly ? ["        reference_only: true"] : []),
      );
    }
  }
  return lines;
}

/** The entry's `meld:` lines: per memory mode, the component form's outcome, then the core form's. */
function meldLines(meld: ObservedMeld): string[] {
  const lines = ["    meld:"];
  for (const mode of MEMORY_MODES) {
    const m = meld.component[mode];
    if (m.outcome === "pass" && !m.reference) lines.push(`      ${mode}: pass`);
    else
      lines.push(
        `      ${mode}:`,
        `        outcome: ${m.outcome}`,
        ...(m.message ? [`        message: ${yamlString(m.message)}`] : []),
        ...(m.reference ? [`        reference: ${m.reference}`] : []),
      );
  }
  const core = (c: MeldCoreExpectation) =>
    c.outcome === "fused" ? "fused" : `{ outcome: refused, message: ${yamlString(c.message ?? "")} }`;
  lines.push(`      core: { multi: ${core(meld.core.multi)}, shared: ${core(meld.core.shared)} }`);
  return lines;
}

/** The manifest entry (YAML, as an item of `fixtures:`) of an ad hoc fixture saved under `name`. */
export function manifestEntry(a: AdhocFixture, name: string, meld: ObservedMeld): string {
  const f = a.fixture;
  if (a.refusal) throw new SeamError(`cannot save ${name}: ${a.refusal}`, { exitCode: EXIT.fail });
  const rel = `${name}.wasm`;
  const lines = [
    `  - name: ${name}`,
    `    kind: ${f.kind}`,
    `    summary: ${yamlString(f.summary)}`,
    `    file: ${rel}`,
    `    sha256: ${f.sha256}`,
    "    build: prebuilt",
    `    sources: [${rel}]`,
    ...inputLines(f, name),
    ...judgingLines(f),
    ...meldLines(meld),
  ];
  if (f.reference) lines.push(`    reference: { engine: ${f.reference.engine}, why: ${yamlString(f.reference.why)} }`);
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
        exitCode: EXIT.fail,
      });
    atomicWrite(o.manifestPath, text);
  } catch (e) {
    rmSync(wasm, { force: true });
    throw e;
  }
  return { manifest: o.manifestPath, wasm };
}
