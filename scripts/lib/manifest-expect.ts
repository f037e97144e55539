/**
 * manifest-expect — the parts of a manifest entry that say what a fixture must do: a command's `expect`,
 * an invoke fixture's calls, what real meld does in each memory mode (`meld`, `meld.core`) and the
 * reference engine that judges it. Read through lib/yamlx.ts; every problem names its field.
 * Used by lib/manifest-entry.ts.
 */
import { isScalar, isSeq, type Node } from "yaml";
import type {
  CommandExpectation,
  InvokeCall,
  MeldCoreExpectation,
  MeldExpectation,
  ReferenceOverride,
} from "./manifest.ts";
import { MEMORY_MODES, type MemoryMode } from "./records.ts";
import type { YamlFile } from "./yamlx.ts";

/** A sha256 as the manifest writes it. */
export const HEX64 = /^[0-9a-f]{64}$/;

/** A command's `expect`: exit status and stdout (exact, or sha256 and byte count), or `trap: true`. */
export function parseExpect(
  c: YamlFile,
  node: Node | null | undefined,
  offset: number,
): CommandExpectation | undefined {
  const m = c.map(node, "expect", offset);
  if (!m) return undefined;
  const e = c.entries(m, ["exit", "stdout", "stdout_sha256", "stdout_bytes", "trap"], "expect.");
  const at = m.range?.[0] ?? offset;
  if (e.has("trap")) {
    const trap = c.bool(e.get("trap"), "expect.trap");
    if (trap === false)
      c.fieldProblem(e.get("trap"), "expect.trap", "must be true when present (leave it out for a fixture that exits)");
    for (const other of ["exit", "stdout", "stdout_sha256", "stdout_bytes"]) {
      if (e.has(other))
        c.fieldProblem(e.get(other), `expect.${other}`, "a trapping fixture has no exit status or stdout to compare");
    }
    return trap ? { kind: "trap" } : undefined;
  }
  const exit = e.has("exit") ? c.int(e.get("exit"), "expect.exit", 0, 255) : 0;
  const out: CommandExpectation = { kind: "exit", exit: exit ?? 0 };
  if (e.has("stdout")) {
    if (e.has("stdout_sha256") || e.has("stdout_bytes"))
      c.fieldProblem(
        e.get("stdout_sha256") ?? e.get("stdout_bytes"),
        "expect.stdout_sha256",
        "give stdout or its sha256 and byte count, not both",
      );
    const s = c.string(e.get("stdout"), "expect.stdout", at);
    if (s !== undefined) out.stdout = s;
  } else if (e.has("stdout_sha256") || e.has("stdout_bytes")) {
    const h = c.string(e.get("stdout_sha256"), "expect.stdout_sha256", at);
    if (h !== undefined && !HEX64.test(h))
      c.fieldProblem(e.get("stdout_sha256"), "expect.stdout_sha256", "must be 64 lower-case hex digits");
    else if (h !== undefined) out.stdoutSha256 = h;
    if (!e.has("stdout_bytes"))
      c.fieldProblem(m, "expect.stdout_bytes", "is missing (a stdout_sha256 needs the byte count too)");
    else {
      const n = c.int(e.get("stdout_bytes"), "expect.stdout_bytes", 0, Number.MAX_SAFE_INTEGER);
      if (n !== undefined) out.stdoutBytes = n;
    }
  } else {
    c.fieldProblem(m, "expect.stdout", "is missing (give stdout, or stdout_sha256 with stdout_bytes, or trap: true)");
  }
  return out;
}

/** An invoke fixture's calls: each export once, with its result (as an engine prints it) or a trap. */
export function parseInvoke(c: YamlFile, node: Node | null | undefined, offset: number): InvokeCall[] {
  if (!isSeq(node) || node.items.length === 0) {
    c.fieldProblem(
      node,
      "invoke",
      node == null ? "is missing (an invoke fixture lists the exports to call)" : "must be a non-empty list of calls",
    );
    return [];
  }
  const calls: InvokeCall[] = [];
  const seen = new Set<string>();
  node.items.forEach((item, i) => {
    const field = `invoke[${i}]`;
    const m = c.map(item, field, node.range?.[0] ?? offset);
    if (!m) return;
    const e = c.entries(m, ["export", "result", "trap", "reference_only"], `${field}.`);
    const at = m.range?.[0] ?? offset;
    const name = c.string(e.get("export"), `${field}.export`, at, { nonEmpty: true });
    if (name !== undefined && seen.has(name))
      c.fieldProblem(e.get("export"), `${field}.export`, `"${name}" is listed twice`);
    if (name !== undefined) seen.add(name);
    const trap = e.has("trap") ? c.bool(e.get("trap"), `${field}.trap`) : false;
    let result: string | undefined;
    if (trap) {
      if (e.has("result")) c.fieldProblem(e.get("result"), `${field}.result`, "a call expected to trap has no result");
    } else {
      result = c.string(e.get("result"), `${field}.result`, at);
    }
    const referenceOnly = e.has("reference_only") ? c.bool(e.get("reference_only"), `${field}.reference_only`) : false;
    if (name !== undefined && (trap || result !== undefined))
      calls.push({ export: name, result, trap: trap ?? false, referenceOnly: referenceOnly ?? false });
  });
  return calls;
}

/** `meld.core`: per memory mode, fused or refused (with meld's words) when meld writes a core module. */
function parseMeldCore(
  c: YamlFile,
  node: Node | null | undefined,
  offset: number,
): Record<MemoryMode, MeldCoreExpectation> | undefined {
  const m = c.map(node, "meld.core", offset);
  if (!m) return undefined;
  const e = c.entries(m, MEMORY_MODES, "meld.core.");
  const out: Partial<Record<MemoryMode, MeldCoreExpectation>> = {};
  for (const mode of MEMORY_MODES) {
    const field = `meld.core.${mode}`;
    const v = e.get(mode);
    if (!e.has(mode)) c.fieldProblem(m, field, "is missing (fused, or {outcome: refused, message})");
    else if (isScalar(v)) {
      if (v.value === "fused") out[mode] = { outcome: "fused" };
      else c.fieldProblem(v, field, `must be "fused" or a mapping {outcome: refused, message}`);
    } else {
      const vm = c.map(v, field, m.range?.[0] ?? offset);
      if (!vm) continue;
      const f = c.entries(vm, ["outcome", "message"], `${field}.`);
      const at = vm.range?.[0] ?? offset;
      const outcome = c.oneOf(f.get("outcome"), `${field}.outcome`, at, ["fused", "refused"] as const);
      const message =
        outcome === "refused" ? c.string(f.get("message"), `${field}.message`, at, { nonEmpty: true }) : undefined;
      if (outcome) out[mode] = { outcome, ...(message ? { message } : {}) };
    }
  }
  return out.multi && out.shared ? (out as Record<MemoryMode, MeldCoreExpectation>) : undefined;
}

/** `meld`: per memory mode, pass, or refused or misfused with the words; and `core`, when recorded. */
export function parseMeld(
  c: YamlFile,
  node: Node | null | undefined,
  offset: number,
): (Record<MemoryMode, MeldExpectation> & { core?: Record<MemoryMode, MeldCoreExpectation> }) | undefined {
  const m = c.map(node, "meld", offset);
  if (!m) return undefined;
  const e = c.entries(m, [...MEMORY_MODES, "core"], "meld.");
  const out: Partial<Record<MemoryMode, MeldExpectation>> = {};
  for (const mode of MEMORY_MODES) {
    const field = `meld.${mode}`;
    const v = e.get(mode);
    if (!e.has(mode)) {
      c.fieldProblem(m, field, "is missing (pass, or a mapping with outcome and message)");
      continue;
    }
    if (isScalar(v)) {
      if (v.value === "pass") out[mode] = { outcome: "pass" };
      else c.fieldProblem(v, field, `must be "pass" or a mapping {outcome, message, reference, note}`);
      continue;
    }
    const vm = c.map(v, field, m.range?.[0] ?? offset);
    if (!vm) continue;
    const f = c.entries(vm, ["outcome", "message", "reference", "note"], `${field}.`);
    const at = vm.range?.[0] ?? offset;
    const outcome = c.oneOf(f.get("outcome"), `${field}.outcome`, at, ["pass", "refused", "misfused"] as const);
    const exp: MeldExpectation = { outcome: outcome ?? "pass" };
    if (f.has("message")) exp.message = c.string(f.get("message"), `${field}.message`, at, { nonEmpty: true });
    else if (outcome === "refused" || outcome === "misfused")
      c.fieldProblem(vm, `${field}.message`, `is missing (a ${outcome} outcome records meld's or the engine's words)`);
    if (f.has("reference"))
      exp.reference = c.oneOf(f.get("reference"), `${field}.reference`, at, ["jco", "wasmtime"] as const);
    if (f.has("note")) exp.note = c.string(f.get("note"), `${field}.note`, at);
    if (outcome) out[mode] = exp;
  }
  const core = e.has("core") ? parseMeldCore(c, e.get("core"), m.range?.[0] ?? offset) : undefined;
  return out.multi && out.shared
    ? { ...(out as Record<MemoryMode, MeldExpectation>), ...(core ? { core } : {}) }
    : undefined;
}

/** A fixture's `reference: {engine, why}`: the engine that judges it when jco cannot. */
export function parseReference(
  c: YamlFile,
  node: Node | null | undefined,
  offset: number,
): ReferenceOverride | undefined {
  const rm = c.map(node, "reference", offset);
  if (!rm) return undefined;
  const r = c.entries(rm, ["engine", "why"], "reference.");
  const at = rm.range?.[0] ?? offset;
  const engine = c.oneOf(r.get("engine"), "reference.engine", at, ["jco", "wasmtime"] as const);
  const why = c.string(r.get("why"), "reference.why", at, { nonEmpty: true });
  return engine && why ? { engine, why } : undefined;
}
