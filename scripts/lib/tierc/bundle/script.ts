/**
 * script — a repro bundle's repro.sh, in the `git bisect run` convention, so a kiln maintainer can bisect
 * kiln with it: exit 0 when kilnd meets the expectation, 1 when the row's failure reproduces (printing
 * `REPRODUCED: …`), 125 when it cannot test (KILND unset, the fused file missing, or kilnd failing in
 * another way that hides this failure). It runs kilnd on the fused file in the bundle, one step per
 * failing call, and needs nothing but KILND and a POSIX shell (awk, grep, cmp), from any folder.
 * With MELD set it fuses original.wasm again first and compares the new file with the bundle's (cmp).
 * With REPRO_KEEP=DIR it leaves kilnd's exact stdout and stderr of each step there (tier-c keeps them in
 * the bundle). Pure: the text only. Used by lib/tierc/bundle/write.ts.
 */
import { shellLine, shellQuote } from "../../core/proc.ts";
import type { ReproInput, ReproStep } from "./steps.ts";

/** kilnd's command line of a step, with the bundle's own file names (`"$KILND" fused.core.wasm --wasi …`). */
export function stepLine(r: ReproInput, s: ReproStep, kilnd = '"$KILND"'): string {
  return `${kilnd} ${shellLine(s.args)}${r.stdin ? " < stdin.bin" : " < /dev/null"}`;
}

/** meld's command line that made the bundle's fused file, with the bundle's names. */
export function meldLine(r: ReproInput, meld = '"$MELD"', output = r.wasm): string {
  const out = output.startsWith('"') ? output : shellQuote(output);
  return `${meld} ${shellLine(["fuse", "original.wasm", "-o"])} ${out} ${shellLine(r.meldFlags)}`.trimEnd();
}

/** kilnd's check mark, interpolated: Bun keeps a non-ASCII character of a String.raw template as `\u` escape. */
const CHECK = "\u2713";

/** Prints the guest's stdout out of a kilnd transcript (as lib/engines/classify.ts reads it). */
const GUEST_AWK = String.raw`awk 'BEGIN { on = 0; n = 0; done = 0 }
  on && index($0, "${CHECK} Function ") == 1 { done = 1; exit }
  on && $0 !~ /^\[(INFO|WARN|ERROR|DEBUG|TRACE)\] / { line[n++] = $0 }
  !on && ($0 == "[INFO] Executing function" || $0 == "[INFO] Calling wasi:cli/run entry point") { on = 1 }
  END { for (i = 0; i < n; i++) printf "%s%s", line[i], (i < n - 1 || !done ? "\n" : "") }'`;

/** Prints the first value kilnd printed: `  [0] I32(42)` of a core function, or an --invoke result line. */
const VALUE_AWK = String.raw`awk 'inv && ($0 == "" || $0 ~ /^\[/ || index($0, "${CHECK}") == 1) { exit }
  inv { print; exit }
  $0 == "[INFO] Invoking requested component export" { inv = 1 }
  /^  \[0\] [A-Za-z0-9]+\(.*\)$/ { v = $0; sub(/^  \[0\] [A-Za-z0-9]+\(/, "", v); sub(/\)$/, "", v); print v; exit }'`;

/** The shell test that a step's kilnd output (in "$o.out"/"$o.err") meets what the fixture expects. */
function metTest(s: ReproStep): string[] {
  const e = s.expect;
  if (e.kind === "trap")
    return [`met=no; grep -q '^✗ Execution failed: \\[Runtime\\]\\[E2199\\]' "$o.out" "$o.err" && met=yes`];
  if (e.kind === "result") {
    const alts = e.values.map((v) => `x${v}`).join("|");
    return [
      `got=$(${VALUE_AWK} "$o.out")`,
      `met=no; case "x$got" in ${alts.replace(/[()*?[\]]/g, "\\$&")}) met=yes ;; esac`,
    ];
  }
  const ended =
    e.exit === 0
      ? `grep -q '^✓ Execution completed successfully' "$o.out"`
      : `[ "$code" -ne 0 ] && ! grep -q '^✓ Execution completed successfully' "$o.out"`;
  const same = e.stdoutFile
    ? `cmp -s "$o.guest" ${shellQuote(e.stdoutFile)}`
    : `[ "$(wc -c < "$o.guest" | tr -d ' ')" = ${e.bytes} ] && { ! command -v sha256sum >/dev/null || [ "$(sha256sum < "$o.guest" | cut -c1-64)" = ${e.sha256} ]; }`;
  return [
    `${GUEST_AWK} "$o.out" > "$o.guest"`,
    `met=no; if ${ended} && ! grep -q '^✗ ' "$o.out" "$o.err" && ${same}; then met=yes; fi`,
  ];
}

/** The shell test that a step shows the row's failure again: the same signature, or the same miss. */
function reproducedTest(s: ReproStep): string[] {
  const sig = s.record.signature;
  if (sig) {
    const code = `[${sig.category}][${sig.code}]`;
    return [
      `grep -F -q ${shellQuote(code)} "$o.out" "$o.err" && same=yes`,
      `said=$(grep -h -F ${shellQuote(code)} "$o.out" "$o.err" | grep '^✗ ' | head -n 1 | sed 's/^✗ Execution failed: //')`,
    ];
  }
  if (s.expect.kind === "result")
    return [`grep -q '^✗ ' "$o.out" "$o.err" || same=yes`, `said="returned $got, expected ${s.expect.values[0]}"`];
  const file = s.expect.kind === "stdout" && s.expect.stdoutFile ? shellQuote(s.expect.stdoutFile) : "";
  const where = file
    ? [
        `line=$(cmp "$o.guest" ${file} 2>/dev/null | sed -n ${String.raw`'s/.*line \([0-9]*\).*/\1/p'`})`,
        `if [ -n "$line" ]; then diff_at="line $line: got '$(sed -n "\${line}p" "$o.guest")', expected '$(sed -n "\${line}p" ${file})'"; else diff_at="one ends early"; fi`,
      ]
    : ['diff_at="by sha256 and size"'];
  return [
    `grep -q '^✗ ' "$o.out" "$o.err" || same=yes`,
    ...where,
    `said="guest stdout differs from the expected ($(wc -c < "$o.guest" | tr -d ' ') bytes): $diff_at"`,
  ];
}

/** One step: run kilnd, keep its output, then decide met / reproduced / other. */
function stepBlock(r: ReproInput, s: ReproStep, n: number): string[] {
  return [
    `# step ${n}: ${s.call ? `${s.call}` : "the command"}`,
    `o="$work/step-${n}"`,
    `${stepLine(r, s)} > "$o.out" 2> "$o.err"; code=$?`,
    `[ -n "\${REPRO_KEEP:-}" ] && cp "$o.out" "$REPRO_KEEP/step-${n}.kilnd.stdout" && cp "$o.err" "$REPRO_KEEP/step-${n}.kilnd.stderr"`,
    ...metTest(s),
    "same=no; said=",
    ...reproducedTest(s),
    `if [ "$met" = yes ]; then echo "step ${n}: kilnd meets the expectation"`,
    `elif [ "$same" = yes ]; then echo "REPRODUCED: step ${n} (${s.call ?? "the command"}): $said"; reproduced=1`,
    `else echo "step ${n}: kilnd fails differently: $(grep -h '^✗ ' "$o.out" "$o.err" | head -n 1)"; other=1; fi`,
  ];
}

/** The re-fuse, when MELD is set: the new file must be the bundle's, byte for byte. */
function refuse(r: ReproInput): string[] {
  return [
    'if [ -n "${MELD:-}" ]; then',
    `  if ${meldLine(r, '"$MELD"', '"$work/refused.wasm"')} > "$work/meld.log" 2>&1; then`,
    `    cmp -s "$work/refused.wasm" ${r.wasm} || echo "note: this meld writes another file than the bundle's ${r.wasm} (sha256 ${r.fuse.output?.sha256 ?? "?"}); testing the bundle's"`,
    `  else echo "note: meld did not fuse original.wasm ($(head -n 1 "$work/meld.log")); testing the bundle's ${r.wasm}"; fi`,
    "fi",
  ];
}

export function reproScript(r: ReproInput): string {
  const exports = Object.entries(r.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  return [
    "#!/bin/sh",
    `# ${r.title}`,
    "# git bisect run convention: exit 0 kilnd meets the expectation, 1 the failure reproduces (REPRODUCED: …),",
    "# 125 cannot test (KILND unset, the fused file missing, or kilnd fails in another way).",
    "# Usage: KILND=/path/to/kilnd sh repro.sh   (MELD=/path/to/meld: fuse original.wasm again and compare)",
    "set -u",
    'cd "$(dirname "$0")" || exit 125',
    'if [ -z "${KILND:-}" ]; then echo "CANNOT TEST: set KILND to the kilnd to test" >&2; exit 125; fi',
    `if [ ! -f ${r.wasm} ]; then echo "CANNOT TEST: ${r.wasm} is missing from this folder" >&2; exit 125; fi`,
    ...(r.stdin ? ['if [ ! -f stdin.bin ]; then echo "CANNOT TEST: stdin.bin is missing" >&2; exit 125; fi'] : []),
    'work="${TMPDIR:-/tmp}/repro.$$"',
    'mkdir "$work" || exit 125',
    "trap 'rm -rf \"$work\"' EXIT",
    "trap 'exit 125' INT TERM",
    ...exports,
    ...refuse(r),
    "reproduced=0; other=0",
    ...r.steps.flatMap((s, i) => stepBlock(r, s, i + 1)),
    ...(r.steps.length ? [] : ['echo "CANNOT TEST: no kilnd call of this row fails"', "exit 125"]),
    '[ "$reproduced" = 1 ] && exit 1',
    '[ "$other" = 1 ] && exit 125',
    "exit 0",
    "",
  ].join("\n");
}
