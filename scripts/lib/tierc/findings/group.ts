/**
 * group — the findings of a tier-c report: its failing rows grouped by root cause (lib/tierc/findings/cause.ts),
 * one finding per cause, with the rows it covers, the bundle of its smallest input as the representative,
 * the tracker it belongs on, whether the known-blocker ledger knows it, and a ready issue title and body.
 * Pure: reads a report (and each input's size), returns findings.json's shape. Rendered by render.ts;
 * written by lib/tierc/write.ts; listed first in the PR comment (lib/comment/tierc-section.ts).
 */
import { SCHEMAS } from "../../engines/records.ts";
import type { Row, TierCReport } from "../report.ts";
import { rootCause, type RootCause } from "./cause.ts";
import { bareVersion, toolName } from "../render.ts";

export interface Finding extends RootCause {
  /** pulseengine/kiln or pulseengine/meld. */
  tracker: string;
  form: Row["form"];
  rows: { fixture: string; mode: Row["mode"]; form: Row["form"]; build?: string; bundle?: string }[];
  /** The bundle of the smallest input among the rows (its folder under the --out folder). */
  representative?: string;
  /** The ledger entry that knows it, when one does. */
  known?: string;
  issue: { title: string; body: string };
}

export interface FindingsReport {
  schema: typeof SCHEMAS.findings;
  kilnd: string;
  meld: string;
  findings: Finding[];
  /** Failing rows by verdict, and how many findings they make. */
  failingRows: number;
}

const TRACKERS = { kiln: "pulseengine/kiln", meld: "pulseengine/meld" } as const;

/** A tool as a finding names it: its version, or its whole sha256 when it reports none. */
export function toolText(t: { version: string; sha256?: string } | null): string {
  return t ? toolName(t, 64) : "absent";
}

/** A tool in an issue title: its bare version (the provenance is in the body), or its sha256's first 12 digits. */
function shortTool(t: { version: string; sha256?: string } | null): string {
  return t ? (bareVersion(t.version) ?? toolName(t)) : "absent";
}

/** The engines that judged these rows (a fixture may name its own; the row's evidence says which ran), with
 * the run's default engine's version when it is the one. */
function referenceText(rows: Row[], r: TierCReport): string {
  const def = r.tools.reference;
  const used = [...new Set(rows.map((x) => /^(jco|wasmtime) ran/.exec(x.evidence ?? "")?.[1] ?? def?.engine))];
  const named = used.filter((e): e is string => e !== undefined);
  if (!named.length) return "absent";
  return named.map((e) => (def && e === def.engine ? `${e} ${def.version}` : e)).join(", ");
}

function issueBody(f: Omit<Finding, "issue">, r: TierCReport, reference: string): string {
  const rows = f.rows.map(
    (x) => `- ${x.fixture} (${x.mode} memory, ${x.form})${x.bundle ? `: bundle \`${x.bundle}\`` : ""}`,
  );
  return [
    `${f.whose === "kiln" ? "kilnd" : "meld"} fails in the same way on ${f.rows.length} input${f.rows.length === 1 ? "" : "s"}: ${f.kind} (${f.stage}).`,
    "",
    `kilnd: ${toolText(r.tools.kilnd)}; meld: ${toolText(r.tools.meld)}; reference engine: ${reference}.`,
    "",
    "Affected inputs:",
    ...rows,
    "",
    f.representative
      ? `The smallest one's repro bundle, \`${f.representative}\`, holds the input, meld's output, kilnd's exact output and REPRO.md; \`KILND=/path/to/kilnd sh repro.sh\` in it exits 1 while this reproduces (the \`git bisect run\` convention).`
      : "No bundle: no kilnd call of these rows could be run again.",
    ...(f.known ? ["", `Already tracked: ${f.known}.`] : []),
  ].join("\n");
}

/** A row's input size as its fuse cell recorded it (meld's output, `N bytes, sha256 …`): what "smallest
 * input" compares, read off the row so results.json alone is enough. */
export function inputBytes(row: Row): number {
  const m = /^(\d+) bytes/.exec(row.cells.find((c) => c.step === "fuse")?.detail ?? "");
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

/** Groups the failing rows of `r` by root cause; the bundle of the smallest input represents a finding.
 * Ordered: unknown before known, then kiln before meld, then by rows. */
export function groupFindings(r: TierCReport): FindingsReport {
  const groups = new Map<string, { cause: RootCause; rows: Row[] }>();
  let failing = 0;
  for (const row of r.rows) {
    const cause = rootCause(row);
    if (!cause) continue;
    failing++;
    // kiln's faults differ by form (two paths through kilnd); meld's core rows rest on its component output
    const key = `${cause.whose}|${cause.whose === "kiln" ? row.form : ""}|${cause.stage}|${cause.kind}`;
    const g = groups.get(key) ?? { cause, rows: [] };
    g.rows.push(row);
    groups.set(key, g);
  }
  const findings = [...groups.values()].map(({ cause, rows }) => {
    const smallest = [...rows].filter((x) => x.bundle).sort((a, b) => inputBytes(a) - inputBytes(b))[0];
    const blocker = rows.find((x) => x.blocker)?.blocker;
    const known = blocker
      ? `${blocker.ref}: ${blocker.title}`
      : rows.some((x) => x.verdict === "meld-bug" && x.outcome === "expected")
        ? "recorded as a known meld mis-fusion in the fixture manifest"
        : undefined;
    const f: Omit<Finding, "issue"> = {
      ...cause,
      tracker: TRACKERS[cause.whose],
      form: rows[0]!.form,
      rows: rows.map((x) => ({
        fixture: x.fixture,
        mode: x.mode,
        form: x.form,
        ...(x.build ? { build: x.build } : {}),
        ...(x.bundle ? { bundle: x.bundle } : {}),
      })),
      ...(smallest?.bundle ? { representative: smallest.bundle } : {}),
      ...(known ? { known } : {}),
    };
    const tool = cause.whose === "kiln" ? `kilnd ${shortTool(r.tools.kilnd)}` : `meld ${shortTool(r.tools.meld)}`;
    // rows that share a kind may still differ in detail (meld leaves `add` unresolved in one input, a
    // resource drop in another): then the title says the kind, and the body names each input
    const title = new Set(rows.map((x) => rootCause(x)?.title)).size === 1 ? cause.title : cause.kind;
    return { ...f, issue: { title: `${tool}: ${title}`, body: issueBody(f, r, referenceText(rows, r)) } };
  });
  findings.sort(
    (a, b) =>
      Number(!!a.known) - Number(!!b.known) ||
      a.whose.localeCompare(b.whose) ||
      b.rows.length - a.rows.length ||
      a.kind.localeCompare(b.kind),
  );
  return {
    schema: SCHEMAS.findings,
    kilnd: toolText(r.tools.kilnd),
    meld: toolText(r.tools.meld),
    findings,
    failingRows: failing,
  };
}
