/**
 * yamlx — seam's one YAML validator. Every seam input file (fixture manifest, blocker ledger, loss
 * scenarios) is loaded here with positions; its problems are collected as `file:line:col: …`, one line
 * each, and its fields read by typed getters that record a problem and return undefined when a field is
 * wrong. The ledger and scenarios throw every problem at once (`check`, exit 2); the manifest returns
 * them (lib/fixtures/manifest.ts).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from "yaml";
import { EXIT, SeamError } from "./errors.ts";
import { shownPath } from "./fsx.ts";

/** One problem in a YAML file, at a place. */
export interface Problem {
  line: number;
  col: number;
  /** The manifest fixture the problem is in, named before the field. */
  fixture?: string;
  /** The field, as a path: `expect.stdout`, `invoke[0].result`. */
  field?: string;
  message: string;
  /** The message already names its place (`file:line:col: …`) and is shown as it is. */
  placed?: boolean;
}

/** A problem as one line: `file:line:col: fixture NAME: field: message`. */
export function formatProblem(path: string, p: Problem): string {
  if (p.placed) return p.message;
  const fixture = p.fixture ? `fixture ${p.fixture}: ` : "";
  return `${shownPath(path)}:${p.line}:${p.col}: ${fixture}${p.field ? `${p.field}: ` : ""}${p.message}`;
}

/** Options of a string field. A number or boolean written where a string belongs is told to quote it
 * only when the quoted text would be valid there (`valid`): `kind: 5` is not, since `"5"` is no kind. */
export interface StringRule {
  optional?: boolean;
  nonEmpty?: boolean;
  valid?: (s: string) => boolean;
  /** The values the field takes, named in the problem of a bare number or boolean. */
  expected?: string;
}

type MaybeNode = Node | null | undefined;

/** A loaded YAML file: its root, the places of its nodes, the problems found, and typed field getters
 * (each records a problem and returns undefined when the field is wrong). */
export class YamlFile {
  readonly problems: Problem[] = [];
  /** The manifest fixture the problems found from now on belong to. */
  fixture?: string;

  constructor(
    readonly path: string,
    readonly root: Node | null,
    private readonly lineCounter: LineCounter,
    /** The hint `check` throws with. */
    private readonly hint = "",
  ) {}

  /** 1-based line and column of a node, or of the offset `fallback` when the node has no place. */
  pos(node?: MaybeNode, fallback = 0): { line: number; col: number } {
    return this.lineCounter.linePos(node?.range?.[0] ?? fallback);
  }

  /** `path:line:col` of a node (or of the file start). */
  at(node?: MaybeNode): string {
    const { line, col } = this.pos(node);
    return `${shownPath(this.path)}:${line}:${col}`;
  }

  /** The 1-based line a node starts on. */
  line(node?: MaybeNode): number {
    return this.pos(node).line;
  }

  /** A problem at a node (`at(node): message`), or a line already naming its place. */
  problem(node: MaybeNode | string, message?: string): void {
    if (typeof node === "string") this.problems.push({ line: 0, col: 0, message: node, placed: true });
    else this.problems.push({ ...this.pos(node), message: message ?? "" });
  }

  /** A problem with a field, inside the current fixture; a node without a place is put at `fallback`. */
  fieldProblem(node: MaybeNode, field: string, message: string, fallback = 0): void {
    this.problems.push({ ...this.pos(node, fallback), fixture: this.fixture, field, message });
  }

  /** Throws every problem found, one line each (exit 2). */
  check(): void {
    if (this.problems.length)
      throw new SeamError(this.problems.map((p) => formatProblem(this.path, p)).join("\n"), {
        hint: this.hint,
        exitCode: EXIT.usage,
      });
  }

  map(node: unknown, field: string, parentOffset: number): YAMLMap | undefined {
    if (isMap(node)) return node;
    this.fieldProblem(node as Node, field, node == null ? "is missing" : "must be a mapping", parentOffset);
    return undefined;
  }

  /** The value node of each allowed key, flagging unknown keys once per map. */
  entries(m: YAMLMap, allowed: readonly string[], prefix: string): Map<string, Node | null> {
    const out = new Map<string, Node | null>();
    for (const pair of m.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!allowed.includes(key)) {
        this.fieldProblem(
          pair.key as Node,
          `${prefix}${key}`,
          `unknown field (expected one of: ${allowed.join(", ")})`,
        );
        continue;
      }
      out.set(key, (pair.value as Node | null) ?? null);
    }
    return out;
  }

  string(node: MaybeNode, field: string, offset: number, rule: StringRule = {}): string | undefined {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
      if (!rule.optional) this.fieldProblem(node, field, "is missing", offset);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value !== "string") {
      const plain =
        isScalar(node) && (typeof node.value === "number" || typeof node.value === "boolean")
          ? String(node.source ?? node.value)
          : undefined;
      const quotable = plain !== undefined && (rule.valid ?? (() => true))(plain);
      const what =
        plain !== undefined && rule.expected
          ? `unknown value ${plain} (expected one of: ${rule.expected})`
          : "must be a string";
      this.fieldProblem(node, field, `${what}${quotable ? ` (quote it: "${plain}")` : ""}`);
      return undefined;
    }
    if (rule.nonEmpty && node.value.trim() === "") {
      this.fieldProblem(node, field, "must not be empty");
      return undefined;
    }
    return node.value;
  }

  oneOf<T extends string>(node: MaybeNode, field: string, offset: number, values: readonly T[]): T | undefined {
    const s = this.string(node, field, offset, { valid: (v) => values.includes(v as T), expected: values.join(", ") });
    if (s === undefined) return undefined;
    if (!values.includes(s as T)) {
      this.fieldProblem(node, field, `unknown value "${s}" (expected one of: ${values.join(", ")})`);
      return undefined;
    }
    return s as T;
  }

  int(node: MaybeNode, field: string, min: number, max: number): number | undefined {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fieldProblem(node, field, `must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return v;
  }

  bool(node: MaybeNode, field: string): boolean | undefined {
    if (!isScalar(node) || typeof node.value !== "boolean") {
      this.fieldProblem(node, field, "must be true or false");
      return undefined;
    }
    return node.value;
  }

  strings(node: MaybeNode, field: string): { values: string[]; nodes: Node[] } | undefined {
    if (!isSeq(node)) {
      this.fieldProblem(node, field, "must be a list of strings");
      return undefined;
    }
    const values: string[] = [];
    const nodes: Node[] = [];
    node.items.forEach((item, i) => {
      const s = this.string(item as Node, `${field}[${i}]`, node.range?.[0] ?? 0);
      if (s !== undefined) {
        values.push(s);
        nodes.push(item as Node);
      }
    });
    return { values, nodes };
  }
}

/** Loads YAML text with positions; malformed YAML is returned as problems (`syntax`), one per error. */
export function openYaml(text: string, path: string, hint = ""): { file: YamlFile; syntax: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors.map((e) => ({ ...lineCounter.linePos(e.pos[0]), message: e.message.split("\n")[0]! }));
  return { file: new YamlFile(path, (doc.contents as Node | null) ?? null, lineCounter, hint), syntax };
}

/** Loads a YAML file whose problems are thrown all at once: malformed YAML at once, the rest by `check`. */
export function parseYaml(text: string, path: string, hint: string): YamlFile {
  const { file, syntax } = openYaml(text, path, hint);
  if (syntax.length) {
    const lines = syntax.map((p) => formatProblem(path, { ...p, message: `malformed YAML: ${p.message}` }));
    throw new SeamError(lines.join("\n"), { hint, exitCode: EXIT.usage });
  }
  return file;
}

/** The node under `key` of a mapping node, or undefined. */
export function child(node: MaybeNode, key: string): Node | undefined {
  return isMap(node) ? ((node.get(key, true) as Node | undefined) ?? undefined) : undefined;
}

/** A scalar's value (string/number/boolean/null), or undefined for anything else. */
export function scalar(node: MaybeNode): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** The items of a sequence node, or undefined when it is not one. */
export function items(node: MaybeNode): Node[] | undefined {
  return isSeq(node) ? (node.items as Node[]) : undefined;
}

/**
 * An enum field of a mapping: absent → undefined; a plain string in `known` → that string; anything else
 * (another word, a different case, a list, a number, an empty value) is a problem naming the value and the
 * known ones, so a typo is never read as "some other value" (an unknown enum value is an error, exit 2).
 */
export function enumField<T extends string>(
  y: YamlFile,
  map: MaybeNode,
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
