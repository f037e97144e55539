/**
 * compose-wat — fills a composition template (a c-compose fixture's .wat) with the C consumer component
 * as `jco print` writes it, so the consumer is nested next to its provider and instantiated with it.
 * Pure. Used by lib/recipes.ts (the c-compose build) and the tests.
 */
import { EXIT, SeamError } from "./errors.ts";

/** A top-level form of printed component text: its first line's index and the lines it spans. */
function topLevelForms(lines: string[], from: number, to: number): { start: number; end: number; head: string }[] {
  const forms: { start: number; end: number; head: string }[] = [];
  for (let i = from; i < to; i++) {
    if (/^  \(/.test(lines[i]!)) forms.push({ start: i, end: i + 1, head: lines[i]!.trim() });
    else if (forms.length && /^  ( |\))/.test(lines[i]!)) forms[forms.length - 1]!.end = i + 1;
  }
  return forms;
}

/**
 * Fills a composition template with a component printed by `jco print` (wasm-tools' text form): the
 * template's `;; seam:` lines become the consumer's import declarations (so the outer component imports
 * what the consumer needs from the host, minus the imports the template plugs itself), the consumer as
 * a nested component, its `with` arguments, and its exports re-exported. Pure; throws on a shape it
 * does not know, so a jco upgrade that changes the printed form fails the build loudly.
 */
export function composeWat(template: string, consumerWat: string): string {
  const lines = consumerWat.replace(/\n$/, "").split("\n");
  if (!/^\(component( \$\S+)?$/.test(lines[0]!) || lines[lines.length - 1] !== ")") {
    throw new SeamError("compose: the consumer is not a printed component (expected `(component` … `)`)", {
      exitCode: EXIT.fail,
    });
  }
  const firstCore = lines.findIndex((l) => /^  \(core (module|instance|func)/.test(l));
  if (firstCore < 0) throw new SeamError("compose: the consumer has no core module", { exitCode: EXIT.fail });
  const prelude = topLevelForms(lines, 1, firstCore);
  const odd = prelude.find((f) => !/^\((type|import|alias) /.test(f.head));
  if (odd)
    throw new SeamError(`compose: unexpected form before the consumer's first core module: ${odd.head}`, {
      exitCode: EXIT.fail,
    });
  const imports = prelude.flatMap((f) => {
    const m = /^\(import "([^"]+)" \(instance (\$(?:"[^"]+"|\S+))/.exec(f.head);
    if (!m && f.head.startsWith("(import "))
      throw new SeamError(`compose: only instance imports are supported: ${f.head}`, { exitCode: EXIT.fail });
    return m ? [{ name: m[1]!, id: m[2]!, form: f }] : [];
  });
  const exports = topLevelForms(lines, firstCore, lines.length - 1).flatMap((f) => {
    const m = /^\(export (?:\$\S+ )?(?:\(;\d+;\) )?"([^"]+)" \(instance /.exec(f.head);
    return m ? [m[1]!] : [];
  });

  const plugged = new Set<string>();
  const filled: string[] = [];
  for (const line of template.split("\n")) {
    const marker = /^(\s*);; seam:([a-z-]+)(.*)$/.exec(line);
    if (!marker) {
      filled.push(line);
      continue;
    }
    const [, indent, what, rest] = marker as unknown as [string, string, string, string];
    if (what === "consumer-imports") {
      for (const m of rest.matchAll(/plugged="([^"]+)"/g)) plugged.add(m[1]!);
      for (const name of plugged)
        if (!imports.some((i) => i.name === name))
          throw new SeamError(`compose: the consumer does not import ${name}`, { exitCode: EXIT.fail });
      const skip = new Set(imports.filter((i) => plugged.has(i.name)).map((i) => i.form.start));
      for (const f of prelude) if (!skip.has(f.start)) filled.push(...lines.slice(f.start, f.end));
    } else if (what === "consumer-component") {
      filled.push(`${indent}(component ${rest.trim()}`, ...lines.slice(1));
    } else if (what === "consumer-import-args") {
      for (const i of imports) if (!plugged.has(i.name)) filled.push(`${indent}(with "${i.name}" (instance ${i.id}))`);
    } else if (what === "consumer-exports") {
      for (const name of exports) filled.push(`${indent}(export "${name}" (instance ${rest.trim()} "${name}"))`);
    } else {
      throw new SeamError(`compose: unknown template line ;; seam:${what}`, { exitCode: EXIT.fail });
    }
  }
  return filled.join("\n");
}
