/**
 * write — a tier-c report on disk: results.json, summary.md, junit.xml and findings.md/json written atomically with the
 * bundles they confirm, and shard folders merged into one report as if run at once.
 * Used by scripts/tier-c.ts (a run and `merge`), scripts/all.ts (its tier-c step) and the benchmarks.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { ROOT } from "../core/paths.ts";
import { groupFindings } from "./findings/group.ts";
import { renderFindingsMarkdown } from "./findings/render.ts";
import { publishBundles, stageBundleCopy } from "./bundle/write.ts";
import { atomicWrite, atomicWriteJson, shownPath } from "../core/fsx.ts";
import { SeamError, EXIT } from "../core/errors.ts";
import { appendStepSummary } from "../github/actions.ts";
import { renderTierCMarkdown, tierCJUnit } from "./render.ts";
import { buildTierCReport, isTierCReport, type TierCReport } from "./report.ts";
import { SCHEMAS } from "../engines/records.ts";

/** Writes results.json, summary.md and junit.xml (each atomically) and the step summary when set. */
export function writeReports(r: TierCReport, outDir: string): void {
  const md = renderTierCMarkdown(r);
  publishBundles(
    outDir,
    r.rows.flatMap((row) => (row.bundle ? [row.bundle] : [])),
  );
  const portable = portableTools(r);
  atomicWriteJson(join(outDir, "results.json"), portable);
  atomicWrite(join(outDir, "summary.md"), md);
  atomicWrite(join(outDir, "junit.xml"), tierCJUnit(r));
  const findings = groupFindings(portable);
  atomicWriteJson(join(outDir, "findings.json"), findings);
  atomicWrite(join(outDir, "findings.md"), renderFindingsMarkdown(findings));
  appendStepSummary(md);
}

/** A tool's path as results.json keeps it: relative to seam's root when inside it, else the program's
 * name: no path of the machine that ran it (the sha256 identifies the build). */
export function portablePath(path: string): string {
  return path.startsWith(`${ROOT}/`) ? relative(ROOT, path) : basename(path);
}

function portableTools(r: TierCReport): TierCReport {
  const tool = <T extends { path: string } | null>(t: T): T => (t ? { ...t, path: portablePath(t.path) } : t);
  return {
    ...r,
    tools: { ...r.tools, meld: tool(r.tools.meld), kilnd: tool(r.tools.kilnd) },
    ...(r.builds ? { builds: r.builds.map((b) => ({ ...b, kilnd: tool(b.kilnd), meld: tool(b.meld) })) } : {}),
  };
}

/** Combines shard folders into one report in outDir (rows, bundles, notices), as if run at once. */
export function mergeReports(dirs: string[], outDir: string, strict: boolean): TierCReport {
  const parts = dirs.map((d) => {
    const file = join(d, "results.json");
    if (!existsSync(file))
      throw new SeamError(`no results.json in ${shownPath(d)}`, {
        hint: "pass the --out folders of the shard runs",
        exitCode: EXIT.usage,
      });
    let x: unknown;
    try {
      x = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new SeamError(`${shownPath(file)}: not JSON (${(err as Error).message})`, {
        hint: "pass the --out folders of the shard runs",
        exitCode: EXIT.usage,
      });
    }
    if (!isTierCReport(x))
      throw new SeamError(`${shownPath(file)} is not a tier-c results file (schema ${SCHEMAS.tierC})`, {
        exitCode: EXIT.usage,
      });
    return { dir: d, report: x };
  });
  const rows = parts.flatMap((p) => p.report.rows.map((r) => ({ ...r, form: r.form ?? "component" })));
  for (const p of parts) {
    for (const row of p.report.rows) if (row.bundle) stageBundleCopy(join(p.dir, row.bundle), outDir, row.bundle);
  }
  const first = parts[0]!.report;
  const tools = {
    meld: parts.map((p) => p.report.tools.meld).find(Boolean) ?? null,
    kilnd: parts.map((p) => p.report.tools.kilnd).find(Boolean) ?? null,
    reference: parts.map((p) => p.report.tools.reference).find(Boolean) ?? null,
    ...(first.tools.seam ? { seam: first.tools.seam } : {}),
  };
  const fixtures = [...new Set(parts.flatMap((p) => p.report.options.fixtures))].sort();
  const forms = first.options.forms ? { forms: first.options.forms } : {};
  const report = buildTierCReport(
    rows,
    tools,
    { memory: first.options.memory, ...forms, fixtures, strict },
    parts.flatMap((p) => p.report.notices),
  );
  if (first.builds) report.builds = first.builds; // the shards' diffs between builds are recomputed by the caller
  writeReports(report, outDir);
  return report;
}
