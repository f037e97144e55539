/**
 * junit — a small well-formedness-checking XML reader and the JUnit reports it reads (bun, nextest, pytest,
 * …): each test with its own outcome (lib/lsgate/libtest.ts's shape), and the fail-closed reading of reports
 * another command wrote. Pure. Used by lib/lsgate/runners.ts and lib/lsgate/bun-test.ts.
 */
import type { ReadTest, RunnerOutput } from "./libtest.ts";

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });
}

/** A small well-formedness-checking XML reader: elements and attributes only (text is not needed). */
export function parseXml(text: string, source: string): XmlElement {
  const where = (i: number) => {
    const before = text.slice(0, i).split("\n");
    return `${source}:${before.length}:${before[before.length - 1]!.length + 1}`;
  };
  const bad = (i: number, what: string) => new Error(`${where(i)}: not well-formed XML: ${what}`);
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    const skipTo = (end: string, what: string) => {
      const j = text.indexOf(end, lt);
      if (j < 0) throw bad(lt, `unterminated ${what}`);
      return j + end.length;
    };
    if (text.startsWith("<?", lt)) i = skipTo("?>", "processing instruction");
    else if (text.startsWith("<!--", lt)) i = skipTo("-->", "comment");
    else if (text.startsWith("<![CDATA[", lt)) i = skipTo("]]>", "CDATA section");
    else if (text.startsWith("<!", lt)) i = skipTo(">", "declaration");
    else if (text.startsWith("</", lt)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(text.slice(lt, lt + 300));
      const top = stack.pop();
      if (!m || !top || top.name !== m[1])
        throw bad(lt, `unexpected closing tag ${m ? `</${m[1]}>` : ""}${top ? ` (open: <${top.name}>)` : ""}`);
      i = lt + m[0].length;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(lt));
      if (!tag) throw bad(lt, "malformed start tag");
      const el: XmlElement = { name: tag[1]!, attrs: {}, children: [] };
      for (const a of tag[2]!.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        el.attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? "");
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw bad(lt, "more than one root element");
      else root = el;
      if (!tag[3]) stack.push(el);
      i = lt + tag[0].length;
    }
  }
  if (stack.length) throw bad(text.length, `unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw bad(0, "no root element");
  return root;
}

/**
 * Reads JUnit XML (bun, nextest, pytest, …). A test's name is its nested describe suites plus its own
 * name (`outer > inner > reads_empty`); its binary is its `file` or its outermost suite. `<failure>` and
 * `<error>` are failures, `<skipped>` is ignored (bun's todo included), anything else passed.
 */
export function parseJUnit(text: string, source: string): ReadTest[] {
  const root = parseXml(text, source);
  if (root.name !== "testsuites" && root.name !== "testsuite") {
    throw new Error(`${source}: not a JUnit report (root element <${root.name}>)`);
  }
  const tests: ReadTest[] = [];
  const walk = (el: XmlElement, suites: string[]) => {
    for (const child of el.children) {
      if (child.name === "testsuite") walk(child, [...suites, child.attrs.name ?? ""]);
      else if (child.name === "testcase") {
        const kinds = new Set(child.children.map((c) => c.name));
        const outcome =
          kinds.has("failure") || kinds.has("error") ? "failed" : kinds.has("skipped") ? "ignored" : "passed";
        const describe = suites.slice(1).filter(Boolean);
        const name = [...describe, child.attrs.name ?? ""].join(" > ");
        const seconds = Number.parseFloat(child.attrs.time ?? "");
        tests.push({
          name,
          binary: child.attrs.file ?? suites[0] ?? source,
          outcome,
          ...(Number.isFinite(seconds) ? { ms: Math.round(seconds * 1e6) / 1e3 } : {}),
          match: [child.attrs.classname ?? "", ...describe, child.attrs.name ?? ""].join(" "),
        });
      }
    }
  };
  walk(root, root.name === "testsuite" ? [root.attrs.name ?? ""] : []);
  return tests;
}

/** Reads JUnit files written by some other command; `status` is that command's exit status when known. */
export function readJUnitFiles(files: { path: string; text?: string }[], status?: number): RunnerOutput {
  const tests: ReadTest[] = [];
  for (const f of files) {
    if (f.text === undefined)
      return {
        tests,
        error: { message: `cannot read JUnit report ${f.path}: the test command did not write it`, detail: [] },
      };
    try {
      tests.push(...parseJUnit(f.text, f.path));
    } catch (err) {
      return { tests, error: { message: (err as Error).message, detail: [] } };
    }
  }
  if (tests.length === 0)
    return { tests, error: { message: `no test cases in ${files.map((f) => f.path).join(", ")}`, detail: [] } };
  if (status !== undefined && status !== 0 && !tests.some((t) => t.outcome === "failed")) {
    return {
      tests,
      error: {
        message: `the test command exited with status ${status} but its JUnit report holds no failure (a file that failed to load is not in the report)`,
        detail: [],
      },
    };
  }
  return { tests };
}
