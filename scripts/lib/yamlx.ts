/**
 * yamlx — YAML loading with positions: every problem in a seam input file (fixture manifest, blocker
 * ledger, loss scenarios) is reported as `file:line:col: …`, one line each, in a SeamError (exit 2).
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { EXIT, SeamError } from "./errors.ts";
import { shownPath } from "./fsx.ts";

export interface YamlFile {
  root: Node | null;
  /** `path:line:col` of a node (or of the file start). */
  at: (node?: Node | null) => string;
  /** The 1-based line a node starts on. */
  line: (node?: Node | null) => number;
  /** Collects problems (`at(node): message`, or a line already carrying its place); `check()` throws them all at once. */
  problem: (node: Node | null | undefined | string, message?: string) => void;
  check: () => void;
}

export function parseYaml(text: string, path: string, hint: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const shown = shownPath(path);
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return `${shown}:${p.line}:${p.col}`;
  };
  if (doc.errors.length) {
    throw new SeamError(
      doc.errors.map((e) => `${pos(e.pos[0])}: malformed YAML: ${e.message.split("\n")[0]}`).join("\n"),
      { hint, exitCode: EXIT.usage },
    );
  }
  const problems: string[] = [];
  const at = (node?: Node | null) => pos(node?.range?.[0] ?? 0);
  return {
    root: (doc.contents as Node | null) ?? null,
    at,
    line: (node) => lineCounter.linePos(node?.range?.[0] ?? 0).line,
    problem: (node, message) => void problems.push(typeof node === "string" ? node : `${at(node)}: ${message}`),
    check: () => {
      if (problems.length) throw new SeamError(problems.join("\n"), { hint, exitCode: EXIT.usage });
    },
  };
}

/** The node under `key` of a mapping node, or undefined. */
export function child(node: Node | null | undefined, key: string): Node | undefined {
  return isMap(node) ? ((node.get(key, true) as Node | undefined) ?? undefined) : undefined;
}

/** A scalar's value (string/number/boolean/null), or undefined for anything else. */
export function scalar(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** The items of a sequence node, or undefined when it is not one. */
export function items(node: Node | null | undefined): Node[] | undefined {
  return isSeq(node) ? (node.items as Node[]) : undefined;
}

/**
 * An enum field of a mapping: absent → undefined; a plain string in `known` → that string; anything else
 * (another word, a different case, a list, a number, an empty value) is a problem naming the value and the
 * known ones, so a typo is never read as "some other value" (an unknown enum value is an error, exit 2).
 */
export function enumField<T extends string>(
  y: YamlFile,
  map: Node | null | undefined,
  key: string,
  known: readonly T[],
): T | undefined {
  const node = child(map, key);
  if (node === undefined) return undefined;
  const value = scalar(node);
  if (typeof value === "string" && (known as readonly string[]).includes(value)) return value as T;
  const guess = (v: unknown) => (typeof v === "string" ? known.find((k) => k === v.trim().toLowerCase()) : undefined);
  const inner = isSeq(node) && node.items.length === 1 ? scalar(node.items[0] as Node) : value;
  const near = guess(inner);
  const what = isSeq(node)
    ? `${key} must be one value, not a list ${JSON.stringify(node.toJSON())}`
    : isMap(node)
      ? `${key} must be one value, not a mapping`
      : value === null
        ? `${key} is empty`
        : `unknown ${key} ${JSON.stringify(value)}`;
  y.problem(node, `${what} (known: ${known.join(", ")})${near ? `; did you mean ${near}?` : ""}`);
  return undefined;
}
