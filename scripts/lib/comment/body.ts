/**
 * body — the body of seam's sticky PR comment: the marker line that identifies it, ls-gate and
 * tier-c results files detected by schema and rendered (lib/lsgate/report.ts, lib/tierc/report.ts), and a
 * body over the size limit cut at "## " section boundaries with open <details> and code fences closed.
 * Pure: no I/O. Used by scripts/post-comment.ts.
 */
import { usageError } from "../core/errors.ts";
import { isLsGateReport, type LsGateReport } from "../lsgate/report.ts";
import { renderLsGateMarkdown } from "../lsgate/render.ts";
import { isTierCReport, type TierCReport } from "../tierc/report.ts";
import { renderTierCMarkdown } from "../tierc/render.ts";
import { findingsList, renderTierCSection } from "./tierc-section.ts";
import { SCHEMAS } from "../engines/records.ts";

// ---------------------------------------------------------------------------------------------------
// Limits (all in docs/scripts.md's post-comment section)

/** GitHub rejects comment bodies over 65,536 characters (422 "body is too long"). */
export const GITHUB_BODY_LIMIT = 65_536;
/** seam cuts to this many UTF-8 bytes: a byte count never undercounts characters, and leaves headroom. */
export const SAFE_BODY_BYTES = 64_000;
/** $GITHUB_STEP_SUMMARY takes up to 1 MiB per step. */
export const SUMMARY_BYTES = 1_000_000;

// ---------------------------------------------------------------------------------------------------
// Types

export type ReportKind = "ls-gate" | "tier-c";
export type LoadedReport =
  { path: string; kind: "ls-gate"; report: LsGateReport } | { path: string; kind: "tier-c"; report: TierCReport };

/** What fitBody cut: sizes and the "## " sections kept, shortened and left out. */
export interface CutInfo {
  limitBytes: number;
  originalBytes: number;
  postedBytes: number;
  kept: string[];
  partial: string | null;
  dropped: string[];
}

// ---------------------------------------------------------------------------------------------------
// Body: reports → sections → one comment, cut to size

/** One HTML comment on one line: what a marker must be. */
export const MARKER_RE = /^<!--(?:(?!-->)[^\n])*-->$/;

/** `KEY` → `<!-- KEY -->`; a whole `<!-- … -->` stays as it is (upstream's marker is one). */
export function normalizeMarker(key: string): string {
  const k = key.trim();
  if (k.startsWith("<!--")) {
    if (!MARKER_RE.test(k))
      throw usageError(
        `--marker ${JSON.stringify(key)} is not one HTML comment on one line`,
        "e.g. --marker '<!-- meld-ls-verification-gate -->'",
      );
    return k;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/+@ -]*$/.test(k) || k.includes("--")) {
    throw usageError(
      `--marker ${JSON.stringify(key)}: use letters, digits and . _ : / + @ - (no "--")`,
      "e.g. --marker seam-gate",
    );
  }
  return `<!-- ${k} -->`;
}

/** The default marker names the kinds of report in the body, so separate steps keep separate comments. */
export function defaultMarker(kinds: ReportKind[]): string {
  const set = [...new Set(kinds)].sort();
  return set.length ? `<!-- seam:${set.join("+")} -->` : "<!-- seam:comment -->";
}

/** Detects a results file by its `schema` field. Throws a one-line usage error for anything else. */
export function parseReport(path: string, text: string): LoadedReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw usageError(
      `${path}: not JSON (${(err as Error).message})`,
      `pass a results file written by ls-gate.ts or tier-c.ts`,
    );
  }
  const schema = typeof json === "object" && json !== null ? (json as { schema?: unknown }).schema : undefined;
  if (schema === SCHEMAS.lsGate) {
    if (!isLsGateReport(json))
      throw usageError(
        `${path}: says schema ${SCHEMAS.lsGate} but does not have its shape`,
        "regenerate it with scripts/ls-gate.ts",
      );
    return { path, kind: "ls-gate", report: json };
  }
  if (typeof schema === "string" && SCHEMAS.tierCReadable.includes(schema)) {
    if (!isTierCReport(json))
      throw usageError(
        `${path}: says schema ${schema} but does not have its shape`,
        "regenerate it with scripts/tier-c.ts",
      );
    return { path, kind: "tier-c", report: json };
  }
  const what = schema === undefined ? "no schema field" : `unknown schema ${JSON.stringify(schema)}`;
  throw usageError(
    `${path}: ${what} (post-comment reads ${SCHEMAS.lsGate} and ${SCHEMAS.tierCReadable.join(", ")})`,
    "pass results.json from tier-c.ts or the ls-gate.ts results file",
  );
}

export interface RenderOptions {
  runUrl?: string;
  /** Said at the top of a Tier C section whose report carries no diff (e.g. "no base results to compare with"). */
  noDiffNote?: string;
  /** A Tier C section with a diff is cut to this many UTF-8 bytes: unchanged rows first, then changed rows. */
  maxBytes?: number;
}

/** One report as one "## " section. A tier-c report with a diff starts with it (lib/compare/compare.ts). */
export function renderReport(r: LoadedReport, opts: RenderOptions): string {
  if (r.kind === "ls-gate") return renderLsGateMarkdown(r.report, opts);
  const report = r.report;
  if (report.diff)
    return renderTierCSection({ ...report, diff: report.diff }, { runUrl: opts.runUrl, maxBytes: opts.maxBytes });
  const before = [opts.noDiffNote ? `ℹ️ ${opts.noDiffNote}` : "", findingsList(report)].filter(Boolean).join("\n\n");
  return renderTierCMarkdown(report, { runUrl: opts.runUrl, ...(before ? { before } : {}) });
}

/** Every report as a section. When the body would pass `limitBytes`, each Tier C section with a diff is
 * re-rendered within what the other sections leave (unchanged rows cut first), before fitBody cuts. */
export function renderSections(
  loaded: LoadedReport[],
  opts: Omit<RenderOptions, "maxBytes"> & { limitBytes?: number },
): string[] {
  const limit = opts.limitBytes ?? SAFE_BODY_BYTES;
  const sections = loaded.map((r) => renderReport(r, opts));
  if (sections.reduce((n, s) => n + utf8Bytes(s) + 2, 0) + CLOSING_RESERVE <= limit) return sections;
  const shrinkable = loaded.map((r) => r.kind === "tier-c" && !!r.report.diff);
  const fixed = sections.reduce((n, s, i) => n + (shrinkable[i] ? 0 : utf8Bytes(s) + 2), 0);
  const share = Math.max(4_096, Math.floor((limit - fixed - 2 * CLOSING_RESERVE) / shrinkable.filter(Boolean).length));
  return loaded.map((r, i) => (shrinkable[i] ? renderReport(r, { ...opts, maxBytes: share }) : sections[i]!));
}

/** Marker line, then the sections, then notes (e.g. report files that were not there). */
export function composeBody(marker: string, sections: string[], notes: string[] = []): string {
  let content = sections.map((s) => s.trimEnd()).join("\n\n");
  // A --body-file that already starts with the marker keeps it once.
  if (firstLine(content) === marker) content = content.slice(content.indexOf("\n") + 1 || content.length);
  const tail = notes.length ? "\n\n" + notes.map((n) => `<sub>${n}</sub>`).join("\n") : "";
  return `${marker}\n${content}${tail}\n`;
}

export function firstLine(body: string): string {
  return (body.replace(/^\uFEFF/, "").split("\n", 1)[0] ?? "").trim();
}

/** The size the cut limits count: UTF-8 bytes, never fewer than the characters GitHub counts. */
export const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

interface BlockState {
  fence: string | null;
  details: number;
}

/** Follows code fences and <details> nesting line by line, to know what a cut leaves open. */
function advance(state: BlockState, line: string): void {
  const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
  if (state.fence) {
    const open = state.fence;
    if (fence && fence[1]![0] === open[0] && fence[1]!.length >= open.length && !fence[2]!.trim()) state.fence = null;
    return;
  }
  // An opening backtick fence's info string may not contain a backtick (CommonMark).
  if (fence && !(fence[1]![0] === "`" && fence[2]!.includes("`"))) {
    state.fence = fence[1]!;
    return;
  }
  state.details += (line.match(/<details[\s>]/gi) ?? []).length - (line.match(/<\/details\s*>/gi) ?? []).length;
  if (state.details < 0) state.details = 0;
}

function closers(state: BlockState): string {
  return (state.fence ? state.fence.slice(0, 40) + "\n" : "") + "</details>\n".repeat(Math.min(state.details, 200));
}

/** Splits at `## ` headings outside code fences. The first part (marker, preamble) has title null. */
export function splitSections(body: string): { title: string | null; lines: string[] }[] {
  const parts: { title: string | null; lines: string[] }[] = [{ title: null, lines: [] }];
  const state: BlockState = { fence: null, details: 0 };
  for (const line of body.split("\n")) {
    if (!state.fence && line.startsWith("## ")) parts.push({ title: line.slice(3).trim(), lines: [] });
    parts[parts.length - 1]!.lines.push(line);
    advance(state, line);
  }
  return parts;
}

const CLOSING_RESERVE = 2_048;

/** The longest prefix of `s` that is at most `max` UTF-8 bytes, cut on a character boundary. */
function cutToBytes(s: string, max: number): string {
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= max) return s;
  let end = Math.max(0, max);
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}

/** A cut in progress: the lines kept, their bytes, what they leave open, and the bytes there are for them. */
type Cut = { out: string[]; used: number; state: BlockState; budget: number };

/** Keeps `lines` only if they all fit, with the closers they would need; returns whether they did. */
function keepAll(c: Cut, lines: string[]): boolean {
  const size = lines.reduce((n, l) => n + utf8Bytes(l) + 1, 0);
  const trial: BlockState = { ...c.state };
  for (const l of lines) advance(trial, l);
  if (c.used + size + utf8Bytes(closers(trial)) > c.budget) return false;
  c.out.push(...lines);
  c.used += size;
  Object.assign(c.state, trial);
  return true;
}

/** Keeps the head of a section that does not fit, line by line; returns how many lines it kept. */
function keepHead(c: Cut, lines: string[]): number {
  let taken = 0;
  for (const line of lines) {
    if (keepAll(c, [line])) {
      taken++;
      continue;
    }
    // Only a section's first content line (after its heading or the marker) is cut by characters:
    // a giant line would otherwise leave nothing; further lines (table rows …) are kept whole or not at all.
    const room = c.budget - c.used - utf8Bytes(closers(c.state)) - 1;
    if (taken <= 1 && room > 256) {
      const piece = cutToBytes(line, room);
      c.out.push(piece);
      c.used += utf8Bytes(piece) + 1;
      advance(c.state, piece);
      taken++;
    }
    break;
  }
  return taken;
}

/**
 * Cuts a body over `limitBytes` (UTF-8) at a section boundary: whole sections while they fit, then as
 * many lines of the next as fit, open code fences and <details> closed, and a closing line naming what
 * was cut and linking the run. Under the limit the body comes back unchanged.
 */
export function fitBody(
  body: string,
  opts: { limitBytes?: number; runUrl?: string } = {},
): { body: string; cut: CutInfo | null } {
  const limit = opts.limitBytes ?? SAFE_BODY_BYTES;
  const originalBytes = utf8Bytes(body);
  if (originalBytes <= limit) return { body, cut: null };
  const c: Cut = { out: [], used: 0, state: { fence: null, details: 0 }, budget: Math.max(0, limit - CLOSING_RESERVE) };
  const parts = splitSections(body);
  const kept: string[] = [];
  let partial: string | null = null;
  let next = 0;
  for (; next < parts.length && keepAll(c, parts[next]!.lines); next++) {
    if (parts[next]!.title !== null) kept.push(parts[next]!.title!);
  }
  if (next < parts.length) {
    // The first section that does not fit: keep its head, line by line.
    if (keepHead(c, parts[next]!.lines) > 0) partial = parts[next]!.title ?? "(preamble)";
    next++;
  }
  const dropped = parts.slice(next).map((p) => p.title ?? "(preamble)");
  const text = (c.out.join("\n") + "\n" + closers(c.state)).trimEnd();
  const info = { originalBytes, kept, partial, dropped, runUrl: opts.runUrl };
  let result = `${text}\n\n${closingLine(info, true)}\n`;
  if (utf8Bytes(result) > limit) result = `${text}\n\n${closingLine(info, false)}\n`;
  return {
    body: result,
    cut: { limitBytes: limit, originalBytes, postedBytes: utf8Bytes(result), kept, partial, dropped },
  };
}

function closingLine(
  c: { originalBytes: number; kept: string[]; partial: string | null; dropped: string[]; runUrl?: string },
  withNames: boolean,
): string {
  const names = (list: string[]) => {
    if (!withNames) return `${list.length} section${list.length === 1 ? "" : "s"}`;
    const shown = list.slice(0, 6).map((t) => `“${t.length > 40 ? t.slice(0, 39) + "…" : t}”`);
    return shown.join(", ") + (list.length > 6 ? ` and ${list.length - 6} more` : "");
  };
  const what = [
    c.partial ? `${names([c.partial])} cut short` : "",
    c.dropped.length ? `${names(c.dropped)} left out` : "",
  ].filter(Boolean);
  const where =
    c.runUrl && c.runUrl.length < 400
      ? `the full report is in the [workflow run](${c.runUrl}) (step summary)`
      : "the full report is in the job's step summary and result files";
  const limit = GITHUB_BODY_LIMIT.toLocaleString("en-US");
  return `---\n✂️ **Cut to fit GitHub's ${limit}-character comment limit** (the body was ${c.originalBytes.toLocaleString("en-US")} bytes): ${what.join("; ") || "tail removed"}; ${where}.`;
}
