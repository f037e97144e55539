/**
 * workflow — reads a GitHub Actions workflow the way Actions does, for the tests that check
 * .github/workflows/*.yml: a step's `if:` evaluated in a given event (with the implied `success() &&`),
 * `${{ }}` templates filled in, and a `run:` line split into shell words. So a test states what a step
 * does in which event, not how its YAML is spelled. Only the expression syntax the workflows use:
 * literals, context paths, ! == != && || and parentheses, always() success() failure() hashFiles().
 * Tests only; no script imports it.
 */
import { parse as parseYaml } from "yaml";

export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

export interface Workflow {
  on: unknown;
  jobs: Record<string, { steps: WorkflowStep[] }>;
}

/** What an expression can see: the contexts, the files hashFiles finds, and whether a step before failed. */
export interface Event {
  github: Record<string, unknown>;
  steps?: Record<string, { outputs: Record<string, string> }>;
  files?: string[];
  failed?: boolean;
}

type Value = string | boolean | null;

export function parseWorkflow(text: string): Workflow {
  return parseYaml(text) as Workflow;
}

const TOKEN = /\s*(?:('(?:[^']|'')*')|(&&|\|\||==|!=|!|\(|\)|,)|([A-Za-z_][\w.-]*))/y;

function tokenize(expr: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.trimEnd().length) {
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`cannot read expression at ${TOKEN.lastIndex}: ${expr}`);
    out.push(m[0].trim());
  }
  return out;
}

const truthy = (v: Value) => v !== null && v !== false && v !== "";

function lookup(path: string, ev: Event): Value {
  let at: unknown = ev;
  for (const key of path.split(".")) at = at !== null && typeof at === "object" ? (at as never)[key] : undefined;
  return at === undefined ? null : (at as Value);
}

function call(name: string, args: Value[], ev: Event): Value {
  if (name === "always") return true;
  if (name === "success") return !ev.failed;
  if (name === "failure") return ev.failed === true;
  if (name === "hashFiles") return ev.files?.includes(String(args[0])) ? `hash-of-${args[0]}` : "";
  throw new Error(`unknown function ${name}()`);
}

/** Evaluates one expression (no `${{ }}`) by precedence: || < && < == != < ! < primary. */
export function evaluate(expr: string, ev: Event): Value {
  const t = tokenize(expr);
  let i = 0;
  const or = (): Value => {
    let v = and();
    while (t[i] === "||") {
      i++;
      const right = and();
      if (!truthy(v)) v = right;
    }
    return v;
  };
  const and = (): Value => {
    let v = eq();
    while (t[i] === "&&") {
      i++;
      const right = eq();
      if (truthy(v)) v = right;
    }
    return v;
  };
  const eq = (): Value => {
    let v = not();
    while (t[i] === "==" || t[i] === "!=") {
      const op = t[i++];
      const right = not();
      v = op === "==" ? v === right : v !== right;
    }
    return v;
  };
  const not = (): Value => {
    if (t[i] !== "!") return primary();
    i++;
    return !truthy(not());
  };
  const primary = (): Value => {
    const tok = t[i++]!;
    if (tok === "(") {
      const v = or();
      if (t[i++] !== ")") throw new Error(`missing ) in: ${expr}`);
      return v;
    }
    if (tok.startsWith("'")) return tok.slice(1, -1).replaceAll("''", "'");
    if (tok === "true" || tok === "false") return tok === "true";
    if (tok === "null") return null;
    if (t[i] !== "(") return lookup(tok, ev);
    const args: Value[] = [];
    for (i++; t[i] !== ")";) {
      args.push(or());
      if (t[i] === ",") i++;
    }
    i++;
    return call(tok, args, ev);
  };
  const v = or();
  if (i !== t.length) throw new Error(`unexpected ${t[i]} in: ${expr}`);
  return v;
}

/** Does the step run in this event? An `if:` without a status function means `success() && (…)`. */
export function runs(step: WorkflowStep, ev: Event): boolean {
  const cond = (step.if ?? "true").replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  return truthy(evaluate(/\b(always|success|failure|cancelled)\(/.test(cond) ? cond : `success() && (${cond})`, ev));
}

/** A value with its `${{ }}` parts filled in. */
export function fill(text: string, ev: Event): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => String(evaluate(e, ev) ?? ""));
}

/** A shell line's words, each with whether any part of it was quoted (a quoted "$X" stays one word). */
export function shellWords(line: string): { text: string; quoted: boolean }[] {
  const words: { text: string; quoted: boolean }[] = [];
  for (const m of line.matchAll(/(?:"[^"]*"|'[^']*'|[^\s"']+)+/g))
    words.push({ text: m[0].replace(/"([^"]*)"|'([^']*)'/g, "$1$2"), quoted: /["']/.test(m[0]) });
  return words;
}
