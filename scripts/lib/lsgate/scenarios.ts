/**
 * scenarios — the loss-scenarios file (safety/stpa/loss-scenarios.yaml, upstream's schema) as the LS gate
 * reads it: which entries are approved, the test prefix each ID derives, where the file is found, and
 * which prefixes shadow each other. Every problem is one `file:line:col: …` line (lib/core/yamlx.ts), exit 2.
 * Used by scripts/ls-gate.ts and lib/lsgate/report.ts.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isMap, type Node as YamlNode, type YAMLMap } from "yaml";
import { child, enumField, items, parseYaml, scalar, type YamlFile } from "../core/yamlx.ts";
import { EXIT, SeamError } from "../core/errors.ts";

export interface Scenario {
  id: string;
  title: string;
  status: string;
  prefix: string;
  line: number;
}

export interface ScenarioSet {
  path: string;
  approved: Scenario[];
  /** Entries with another known status (draft, proposed, …) or none: listed, not gated. */
  others: Scenario[];
}

/**
 * The statuses a scenario may carry. Upstream gates `status: approved` only and never says which others
 * exist, so a typo (`Approved`, `[approved]`) would drop the scenario from the gate without a word. The set
 * is the lifecycle of rivet, the tool meld validates its STPA files with (schemas/common.yaml, `status`
 * allowed-values), plus `reviewed` from meld's own safety/schema/stpa.schema.json; meld's
 * loss-scenarios.yaml uses approved, proposed, implemented and verified, seam's approved and draft.
 * Any other value is an error (exit 2). An absent `status` is allowed, as in rivet and in 19 of meld's 81
 * entries, and, like every status but `approved`, is not gated.
 */
export const KNOWN_STATUSES = [
  "approved",
  "draft",
  "proposed",
  "reviewed",
  "implemented",
  "verified",
  "released",
  "accepted",
  "deprecated",
  "rejected",
] as const;

/** Upper-case segments after `LS-`: `LS-A-11`, `LS-CP-2`, `LS-B-1-2`. Anything else derives a prefix no test name can carry. */
export const ID_PATTERN = /^LS(?:-[A-Z0-9]+)+$/;

/** Where a project keeps its scenarios, as upstream does. */
export const SCENARIOS_FILE = join("safety", "stpa", "loss-scenarios.yaml");

const HINT =
  "fix the scenarios file (upstream schema: a top-level `loss-scenarios:` list of mappings with `id`, `title`, `status`, …)";

/** meld's derivation, kept byte-identical: lower-case, `-` → `_`, one trailing `_` (`LS-A-11` → `ls_a_11_`). */
export function prefixOf(id: string): string {
  return id.toLowerCase().replace(/-/g, "_") + "_";
}

/** The entries under `loss-scenarios:`; a file of another shape is one problem, thrown at once. */
function entryNodes(y: YamlFile): YamlNode[] {
  const fail = (node: YamlNode | null | undefined, message: string): never => {
    y.problem(node, message);
    y.check();
    throw new Error("unreachable");
  };
  const root = y.root;
  if (!isMap(root)) fail(root, "expected a mapping with a top-level `loss-scenarios:` list");
  if (!(root as YAMLMap).has("loss-scenarios")) fail(root, "no top-level `loss-scenarios:` key");
  const list = child(root, "loss-scenarios");
  if (list == null || scalar(list) === null) return [];
  return items(list) ?? fail(list, "`loss-scenarios:` must be a list");
}

/** One entry, or undefined after recording its problem; `seen` maps each ID to where it first appeared. */
function readEntry(y: YamlFile, node: YamlNode, n: number, seen: Map<string, string>): Scenario | undefined {
  const where = y.at(node);
  if (!isMap(node)) return void y.problem(`${where}: entry ${n + 1} is not a mapping`);
  const idNode = child(node, "id");
  if (idNode === undefined) return void y.problem(`${where}: entry ${n + 1} has no \`id\``);
  const id = scalar(idNode);
  const idWhere = y.at(idNode);
  if (typeof id !== "string" || !ID_PATTERN.test(id)) {
    return void y.problem(
      `${idWhere}: malformed id ${JSON.stringify(id)} (expected LS-<SEGMENT>-…, upper-case, e.g. LS-A-11)`,
    );
  }
  const first = seen.get(id);
  if (first) return void y.problem(`${idWhere}: duplicate id ${id} (first at ${first})`);
  seen.set(id, idWhere);
  const title = node.get("title");
  const status = enumField(y, node, "status", KNOWN_STATUSES);
  if (status === undefined && node.has("status")) return; // reported by enumField: the gate cannot tell whether it is approved
  return {
    id,
    title: typeof title === "string" ? title.trim() : "",
    status: status ?? "",
    prefix: prefixOf(id),
    line: y.line(node),
  };
}

/** Parses loss-scenarios.yaml; every problem is one `file:line:col: …` line in a SeamError (exit 2). */
export function parseScenarios(text: string, path: string): ScenarioSet {
  const y = parseYaml(text, path, HINT);
  const entries = entryNodes(y);
  const seen = new Map<string, string>();
  const set: ScenarioSet = { path, approved: [], others: [] };
  entries.forEach((node, n) => {
    const scenario = readEntry(y, node, n, seen);
    if (scenario) (scenario.status === "approved" ? set.approved : set.others).push(scenario);
  });
  y.check();
  if (set.approved.length === 0) {
    // A gate that verifies nothing must not read green (LS-G-4).
    throw new SeamError(
      `${path}: no \`status: approved\` entries among ${entries.length}: the gate would verify nothing`,
      { hint: "approve at least one loss scenario, or point --scenarios at the right file", exitCode: EXIT.fail },
    );
  }
  return set;
}

/**
 * PROJECT/safety/stpa/loss-scenarios.yaml, else the nearest one above PROJECT within its repository (a
 * workspace member finds its workspace's file, as cargo finds the workspace). None: PROJECT's path, so
 * the error names where it was expected.
 */
export function findScenarios(project: string): string {
  for (let dir = resolve(project); ; dir = dirname(dir)) {
    if (existsSync(join(dir, SCENARIOS_FILE))) return join(dir, SCENARIOS_FILE);
    if (existsSync(join(dir, ".git")) || dirname(dir) === dir) return join(resolve(project), SCENARIOS_FILE);
  }
}

/** Approved IDs whose prefix is contained in another ID's prefix: upstream counts the other's tests for them too. */
export function findCollisions(set: ScenarioSet): { id: string; shadowedBy: string }[] {
  const all = [...set.approved, ...set.others];
  return set.approved.flatMap((a) =>
    all.filter((b) => b !== a && b.prefix.includes(a.prefix)).map((b) => ({ id: a.id, shadowedBy: b.id })),
  );
}
