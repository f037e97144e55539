/**
 * judge — whether an engine's run meets a fixture's expectation, and the words for it.
 */
import type { Fixture } from "./manifest.ts";

/** The expectation in words, as REPRO.md states it. */
export function expectationText(f: Fixture): string {
  if (f.kind === "invoke")
    return f.invoke.map((c) => (c.trap ? `${c.export}() traps` : `${c.export}() = ${c.result}`)).join(", ");
  const e = f.expect;
  if (!e) return "none";
  if (e.kind === "trap") return "the guest traps";
  const out = e.stdoutSha256
    ? `${e.stdoutBytes} bytes of stdout with sha256 ${e.stdoutSha256}`
    : `stdout ${JSON.stringify(e.stdout ?? "")}`;
  return `exit ${e.exit === 0 ? "0" : `${e.exit} (non-zero)`}, ${out}`;
}
