/**
 * tierc-section — a Tier C report that carries a diff, as one section of the pull-request comment: the
 * diff first, then the findings (by root cause), then the report's table, cut to fit the comment's size cap. Pure. Used by lib/comment/body.ts.
 */
import { keyOf, type ComparableRow, type ReportDiff } from "../compare/types.ts";
import { renderDiffBlock } from "../compare/render.ts";
import { renderTierCMarkdown } from "../tierc/render.ts";
import type { TierCReport } from "../tierc/report.ts";
import { groupFindings } from "../tierc/findings/group.ts";
import { renderFindingsList } from "../tierc/findings/render.ts";

/** The report's findings, one line each: the comment lists them before the row table. */
export function findingsList(r: TierCReport): string {
  return renderFindingsList(groupFindings(r));
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** The largest n in [0, max] with fits(n), for a fits that holds up to some n and not beyond. */
function largest(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A Tier C report that carries a diff, as one comment section: the diff first (summary, the base's tools,
 * changed rows), then the report's status and counts, the unchanged rows folded in <details>. Under
 * `maxBytes` (UTF-8), unchanged rows are cut first, then changed rows from the least severe.
 */
export function renderTierCSection(
  r: TierCReport & { diff: ReportDiff },
  opts: { runUrl?: string; bundleBaseUrl?: string; maxBytes?: number } = {},
): string {
  const changed = new Set(r.diff.changes.map((c) => keyOf(c)));
  const unchanged = r.rows.filter((row) => !changed.has(keyOf(row as ComparableRow)));
  const render = (changedRows: number, unchangedRows: number) => {
    const left = unchanged.length - unchangedRows;
    return renderTierCMarkdown(r, {
      ...opts,
      before: [renderDiffBlock(r.diff, { maxRows: changedRows, bundleBaseUrl: opts.bundleBaseUrl }), findingsList(r)]
        .filter(Boolean)
        .join("\n\n"),
      tableRows: unchanged.slice(0, unchangedRows),
      fold: !unchanged.length
        ? "No row is unchanged."
        : !unchangedRows
          ? `${unchanged.length} unchanged row${unchanged.length === 1 ? "" : "s"}, left out to fit.`
          : `${unchanged.length} unchanged row${unchanged.length === 1 ? "" : "s"}${left ? ` (${unchangedRows} shown, ${left} left out to fit)` : ""}`,
    });
  };
  const full = render(r.diff.changes.length, unchanged.length);
  if (opts.maxBytes === undefined || bytes(full) <= opts.maxBytes) return full;
  const max = opts.maxBytes;
  const all = r.diff.changes.length;
  if (bytes(render(all, 0)) <= max)
    return render(
      all,
      largest(unchanged.length, (n) => bytes(render(all, n)) <= max),
    );
  return render(
    largest(all, (n) => bytes(render(n, 0)) <= max),
    0,
  );
}
