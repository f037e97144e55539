/**
 * render — the text formats seam's reports share: markdown tables, JUnit XML, GitHub annotations.
 */

/** A value as pretty JSON text ending in a newline: the one form every `--json` output and JSON file uses. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Escapes a cell for a GitHub markdown table (pipes and newlines would break the row). */
export function mdCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

/**
 * Untrusted text that goes into markdown prose (a test name, a runner's error): HTML and markdown syntax
 * characters are escaped. mdCell is for table cells whose content is already markdown.
 */
export function mdText(s: string): string {
  // `_` inside a word (ls_a_11) cannot start emphasis on GitHub, so only word-edge underscores are escaped.
  return s
    .replace(/[\\`*[\]<>&|#]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`))
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_");
}

/** A code span that survives any content (backticks inside are replaced, newlines flattened). */
export function mdCode(s: string): string {
  return "`" + s.replace(/`/g, "'").replace(/\r?\n/g, " ") + "`";
}

export function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(mdCell).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

export function xmlEscape(s: string): string {
  // XML 1.0 forbids most control characters even escaped: drop them.
  return s
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

export interface JUnitCase {
  classname: string;
  name: string;
  seconds: number;
  failure?: { message: string; body?: string };
  skipped?: string;
  systemOut?: string;
}

export function junitXml(suiteName: string, cases: JUnitCase[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined && !c.failure).length;
  const time = cases.reduce((a, c) => a + c.seconds, 0);
  const body = cases.map((c) => {
    const attrs = `classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${c.seconds.toFixed(3)}"`;
    const inner = [
      c.failure
        ? `      <failure message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.body ?? "")}</failure>`
        : "",
      !c.failure && c.skipped !== undefined ? `      <skipped message="${xmlEscape(c.skipped)}"/>` : "",
      c.systemOut ? `      <system-out>${xmlEscape(c.systemOut)}</system-out>` : "",
    ].filter(Boolean);
    return inner.length ? `    <testcase ${attrs}>\n${inner.join("\n")}\n    </testcase>` : `    <testcase ${attrs}/>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">`,
    ...body,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

/**
 * Bytes a reader must see, not obey: every control character but newline and tab becomes a visible
 * escape (`\x1b`, `\r`, `\0`), and DEL and the C1 range too, so a guest's ESC sequences or a stray
 * carriage return cannot repaint a terminal or hide text in a rendered page.
 */
export function escapeControl(s: string): string {
  return s.replace(/[\x00-\x08\x0B-\x1F\x7F-\x9F]/g, (c) => {
    if (c === "\0") return "\\0";
    if (c === "\r") return "\\r";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

/**
 * A fenced code block that its content cannot close: the fence is one backtick longer than the longest
 * backtick run inside (at least three), and control bytes are escaped. Guest output, arguments and
 * environment values go into markdown only through this or mdCode/mdText.
 */
export function mdFence(text: string, lang = ""): string {
  const body = escapeControl(text).replace(/\n$/, "");
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

/**
 * Text for a GitHub comment or page that must stay inert: markdown and HTML are escaped (mdText) and
 * an `@name` cannot mention anyone (a zero-width joiner after the `@` keeps it readable but unlinked),
 * nor can `#123` link an issue.
 */
export function mdInert(s: string): string {
  return mdText(escapeControl(s)).replace(/@(?=[A-Za-z0-9_-])/g, "@\u200d");
}

/**
 * Prose seam wrote around text it read from a run (kilnd's message in a code span, a differing line): it
 * keeps its code spans, but HTML cannot open, an `@name` cannot mention anyone, a line cannot become a
 * heading and control bytes show as escapes. It stays one line.
 */
export function mdProse(s: string): string {
  return escapeControl(s.replace(/\r?\n/g, " "))
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@(?=[A-Za-z0-9_-])/g, "@\u200d")
    .replace(/^#/, "\\#");
}
