/**
 * report — what `tools.ts` prints: every tool seam drives, found (version, path, how it was found) or
 * absent, a bad explicit choice or a program that does not answer like the tool included, with its fix.
 * Used by: scripts/tools.ts.
 */
import { color } from "../core/cli.ts";
import type { SeamError } from "../core/errors.ts";
import { explicitChoiceHint, lookupTool, toolVersion, TOOL_SPECS, type ToolName } from "./lookup.ts";
import { checkIdentity } from "./identity.ts";
import type { Env } from "../core/proc.ts";

export interface ToolReport {
  name: ToolName;
  found: boolean;
  path?: string;
  version?: string;
  source?: string;
  /** What fixes its absence (or a bad explicit choice). */
  fix?: string;
  problem?: string;
}

/** Every tool: found and answering like itself (its version, path, how it was found), or why not and the fix. */
export async function reportTools(env: Env = process.env): Promise<ToolReport[]> {
  const names = Object.keys(TOOL_SPECS) as ToolName[];
  return Promise.all(
    names.map(async (name): Promise<ToolReport> => {
      const l = lookupTool(name, { env });
      if (!l.found)
        return {
          name,
          found: false,
          fix: l.chosenBy ? explicitChoiceHint(l.chosenBy, name) : l.spec.fix,
          problem: l.problem,
        };
      const wrong = await checkIdentity(l.found, env).then(
        () => undefined,
        (e: SeamError) => e,
      );
      if (wrong)
        return {
          name,
          found: false,
          path: l.found.path,
          source: l.found.source,
          problem: wrong.message,
          fix: wrong.hint,
        };
      return { name, found: true, path: l.found.path, source: l.found.source, version: await toolVersion(l.found) };
    }),
  );
}

/** The report as people read it: one line a tool, found (version, path, how) or absent (why, and the fix). */
export function renderToolReport(report: ToolReport[]): string {
  return report
    .map((t) =>
      t.found
        ? `${color.green("found  ")} ${t.name.padEnd(8)} ${t.version?.padEnd(10)} ${t.path} (${t.source})\n`
        : `${color.yellow("absent ")} ${t.name.padEnd(8)} ${t.problem ? `${t.problem}; ` : ""}fix: ${t.fix}\n`,
    )
    .join("");
}
