/**
 * ls-scenarios — helpers the LS gate's test files share: a loss-scenarios.yaml text from (id, status)
 * pairs, that text parsed, the ls-demo crate the real-cargo tests gate, and a run's last output line.
 * Tests only; no script imports it.
 */
import { join } from "node:path";
import { parseScenarios, type ScenarioSet } from "../lib/lsgate/scenarios.ts";
import { ROOT } from "../lib/core/paths.ts";

/** fixtures/ls-demo: a crate with LS tests of every kind (lib, nested module, integration, doctest). */
export const DEMO = join(ROOT, "fixtures", "ls-demo");

export function entries(...ids: [string, string][]): string {
  return (
    "loss-scenarios:\n" +
    ids.map(([id, status]) => `  - id: ${id}\n    title: t ${id}\n    status: ${status}\n`).join("")
  );
}

export function scenarios(yaml: string, path = "s.yaml"): ScenarioSet {
  return parseScenarios(yaml, path);
}

export const lastLine = (s: string) => s.trimEnd().split("\n").pop() ?? "";
