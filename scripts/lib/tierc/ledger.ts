/**
 * ledger — the known-blocker ledger (fixtures/known-blockers.yaml): upstream issues that are expected to
 * make kiln fail on fused components, each with the error signature it produces and the fixture × memory
 * cells it covers. tier-c holds every seam failure against it. Pure apart from reading the file.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { EXIT, SeamError } from "../core/errors.ts";
import { shownPath } from "../core/fsx.ts";
import { nearest } from "../core/cli.ts";
import { isMap, type Node } from "yaml";
import {
  FORMS,
  formatSignature,
  MEMORY_MODES,
  type Form,
  type MemoryMode,
  type Signature,
} from "../engines/records.ts";
import { child, items, parseYaml, scalar, type YamlFile } from "../core/yamlx.ts";

export interface Blocker {
  /** Upstream reference, e.g. `kiln#375`. */
  ref: string;
  title: string;
  signature: { category?: string; code?: string; message?: RegExp };
  /** Fixture names (or `*`), memory modes and output forms the blocker covers. Empty: the entry is scoped
   * by form and signature alone (`scope: signature`), and covers any input, ad hoc ones included. */
  fixtures: string[];
  modes: MemoryMode[];
  forms: Form[];
  line: string;
  /** Where each of `fixtures` is written (`path:line:col`), for a problem with one of them. */
  fixturesAt?: string[];
}

/** The hint of a ledger problem, naming the ledger that has it (the default or another --ledger file). */
function hintFor(path: string): string {
  return `fix ${shownPath(path)}: a \`blockers:\` list of {ref, title, signature: {category, code, message}, fixtures: [...] (or scope: signature), modes: [multi, shared], forms: [component, core]}`;
}

/** Parses a ledger; every problem is one `file:line:col: …` line, all thrown at once (exit 2). */
export function parseLedger(text: string, path: string): Blocker[] {
  const y = parseYaml(text, path, hintFor(path));
  if (y.root === null) return [];
  const list = items(child(y.root, "blockers"));
  if (!isMap(y.root) || (!list && scalar(child(y.root, "blockers")) !== null)) {
    y.problem(y.root, "expected a top-level `blockers:` list");
    y.check();
  }
  const blockers = (list ?? []).map((node) => parseBlocker(y, node));
  y.check();
  return blockers;
}

/** A trimmed, non-empty string under `key`, else undefined (a ledger's text fields are free-form). */
function textField(node: Node | undefined, key: string): string | undefined {
  const v = scalar(child(node, key));
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

/** A blocker's `signature:`: at least one of category, code (E + 4 hex digits) and message (a pattern). */
function parseSignature(y: YamlFile, node: Node, ref: string | undefined): Blocker["signature"] {
  const sigNode = child(node, "signature");
  if (!isMap(sigNode))
    y.problem(node, `${ref ?? "blocker"}: \`signature:\` must be a mapping with category/code/message`);
  const code = textField(sigNode, "code");
  if (code && !/^E[0-9A-F]{4}$/.test(code))
    y.problem(child(sigNode, "code"), `${ref}: code ${code} is not E + 4 upper-case hex digits`);
  let message: RegExp | undefined;
  const pattern = textField(sigNode, "message");
  if (pattern) {
    try {
      message = new RegExp(pattern);
    } catch (e) {
      y.problem(child(sigNode, "message"), `${ref}: message is not a valid pattern: ${(e as Error).message}`);
    }
  }
  if (isMap(sigNode) && !code && !pattern && !textField(sigNode, "category"))
    y.problem(sigNode, `${ref}: an empty signature would match every failure`);
  return { category: textField(sigNode, "category"), code, message };
}

/** One entry of `blockers:`, its problems recorded in `y`. */
function parseBlocker(y: YamlFile, node: Node): Blocker {
  const ref = textField(node, "ref");
  if (!ref) y.problem(node, "blocker without `ref` (e.g. kiln#375)");
  const signature = parseSignature(y, node, ref);
  const list = (key: string) => (items(child(node, key)) ?? []).map((n) => String(scalar(n)));
  const fixtures = list("fixtures");
  const scope = scalar(child(node, "scope"));
  if (scope !== undefined && scope !== "signature")
    y.problem(child(node, "scope"), `${ref}: scope ${String(scope)} is unknown (expected: signature)`);
  if (scope === "signature" && child(node, "fixtures"))
    y.problem(child(node, "fixtures"), `${ref}: an entry scoped by signature names no fixtures`);
  if (scope === "signature" && !child(node, "forms"))
    y.problem(node, `${ref}: an entry scoped by signature names its forms (component, core)`);
  if (scope !== "signature" && fixtures.length === 0)
    y.problem(node, `${ref}: \`fixtures:\` must list the fixtures it covers (or "*"), or say \`scope: signature\``);
  const modes = child(node, "modes") ? list("modes") : [...MEMORY_MODES];
  for (const m of modes)
    if (!MEMORY_MODES.includes(m as MemoryMode))
      y.problem(child(node, "modes"), `${ref}: unknown memory mode ${m} (expected one of: ${MEMORY_MODES.join(", ")})`);
  const forms = child(node, "forms") ? list("forms") : [...FORMS];
  for (const f of forms)
    if (!FORMS.includes(f as Form))
      y.problem(child(node, "forms"), `${ref}: unknown form ${f} (expected one of: ${FORMS.join(", ")})`);
  return {
    ref: ref ?? "",
    title: textField(node, "title") ?? "",
    signature,
    fixtures,
    modes: modes as MemoryMode[],
    forms: forms as Form[],
    line: y.at(node),
    fixturesAt: (items(child(node, "fixtures")) ?? []).map((n) => y.at(n)),
  };
}

/**
 * Reads a ledger. One the user named (`required`) must be there: a typo in `--ledger` is an error, never
 * an empty ledger. The default one, `known-blockers.yaml` beside the manifest, may be absent: no blockers.
 */
export function loadLedger(path: string, opts: { required?: boolean } = {}): Blocker[] {
  if (!existsSync(path)) {
    if (opts.required)
      throw new SeamError(`ledger not found: ${shownPath(path)}`, {
        hint: "check the --ledger path (without --ledger, known-blockers.yaml beside the manifest is read when it is there)",
        exitCode: EXIT.usage,
      });
    return [];
  }
  if (!statSync(path).isFile())
    throw new SeamError(`ledger ${shownPath(path)} is not a file`, {
      hint: "pass the ledger's YAML file to --ledger",
      exitCode: EXIT.usage,
    });
  const bytes = statSync(path).size;
  if (bytes > LEDGER_MAX_BYTES)
    throw new SeamError(`ledger ${shownPath(path)} is ${bytes} bytes, over the ${LEDGER_MAX_BYTES} a ledger may have`, {
      hint: "a ledger lists known blockers: a few kilobytes; pass the right file to --ledger",
      exitCode: EXIT.usage,
    });
  return parseLedger(readFileSync(path, "utf8"), path);
}

/** The most a ledger file may hold (1 MiB, a thousand times the real one): a larger one is refused, not
 * read (a 50 MB file took 32 s and 3.5 GB to parse). */
export const LEDGER_MAX_BYTES = 1 << 20;

/**
 * A blocker naming a fixture the manifest does not have covers nothing, silently: a renamed fixture or a
 * typo would turn an expected failure into a surprise, or hide that a blocker is gone. It is an error
 * (exit 2) naming file:line:col, checked against the whole manifest (not the --fixture or shard selection).
 */
export function checkLedgerFixtures(ledger: Blocker[], known: string[], path: string): void {
  const problems = ledger.flatMap((b) =>
    b.fixtures.flatMap((f, i) => {
      if (f === "*" || known.includes(f)) return [];
      const near = nearest(f, known);
      return [
        `${b.fixturesAt?.[i] ?? b.line}: ${b.ref}: unknown fixture ${f} (not in the manifest${near ? `; did you mean ${near}?` : ""})`,
      ];
    }),
  );
  if (problems.length)
    throw new SeamError(problems.join("\n"), {
      hint: `${hintFor(path)}; name fixtures of the manifest, or "*"`,
      exitCode: EXIT.usage,
    });
}

/** Whether the entry is scoped by form and signature, not by fixture names. */
export const bySignature = (b: Blocker) => b.fixtures.length === 0;

export function covers(b: Blocker, fixture: string, mode: MemoryMode, form: Form): boolean {
  return (
    b.modes.includes(mode) &&
    b.forms.includes(form) &&
    (bySignature(b) || b.fixtures.includes("*") || b.fixtures.includes(fixture))
  );
}

export function signatureMatches(b: Blocker, sig: Signature | undefined): boolean {
  if (!sig) return false;
  const s = b.signature;
  return (
    (!s.category || s.category === sig.category) &&
    (!s.code || s.code === sig.code) &&
    (!s.message || s.message.test(sig.message))
  );
}

/** The ledger's expected signature as kiln would print it (`[Runtime][E0BBB] Export not found`). */
export function expectedText(b: Blocker): string {
  const s = b.signature;
  return formatSignature({ category: s.category ?? "*", code: s.code ?? "E????", message: s.message?.source ?? "…" });
}

export type LedgerOutcome =
  | { kind: "uncovered" }
  | { kind: "expected"; blocker: Blocker }
  | { kind: "moved"; blocker: Blocker }
  | { kind: "xpass"; blocker: Blocker };

/** Holds one kiln(fused) result against the ledger. */
export function consult(
  ledger: Blocker[],
  fixture: string,
  mode: MemoryMode,
  form: Form,
  failed: boolean,
  sig: Signature | undefined,
): LedgerOutcome {
  const covering = ledger.filter((b) => !bySignature(b) && covers(b, fixture, mode, form));
  if (covering.length === 0) {
    // An entry scoped by signature speaks only of failures that match it: never xpass, never moved.
    const known = failed ? ledger.find((b) => covers(b, fixture, mode, form) && signatureMatches(b, sig)) : undefined;
    return known ? { kind: "expected", blocker: known } : { kind: "uncovered" };
  }
  if (!failed) return { kind: "xpass", blocker: covering[0]! };
  const match = covering.find((b) => signatureMatches(b, sig));
  return match ? { kind: "expected", blocker: match } : { kind: "moved", blocker: covering[0]! };
}
