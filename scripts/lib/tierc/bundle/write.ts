/**
 * write — the repro bundle tier-c leaves for every failure: the original and the fused wasm, repro.sh
 * and REPRO.md (their text: lib/tierc/bundle/text.ts), and the captured outputs. tier-c re-runs repro.sh once
 * and writes whether it gave the same failure again (a row's bundle: lib/tierc/bundle/row.ts).
 * A bundle is built in a staging folder and moved into place only when the results that confirm it are
 * written (publishBundles, called by writeReports): an interrupted run leaves no bundle that looks done.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { classifyKiln, classifyWasmtime } from "../../engines/classify.ts";
import { forgetTemp, sha256, trackTemp } from "../../core/fsx.ts";
import { runProcess, type Env } from "../../core/proc.ts";
import { fusedName, reproMarkdown, reproScript, type ReproInput } from "./text.ts";
import { formatSignature, type FuseRecord, type RunRecord } from "../../engines/records.ts";
import { jsonText } from "../../core/render.ts";

/** The folder a run stages its bundles in until its results are written: hidden, one per process. */
export function stagingDir(outDir: string): string {
  return join(outDir, `.bundles.${process.pid}.tmp`);
}

/** Where the bundle that will be `dir` is built (and re-run) until publishBundles moves it to `dir`. */
export function stagedPath(dir: string): string {
  return join(stagingDir(dirname(dir)), basename(dir));
}

/** Makes the staging folder of `outDir`, registered for removal if the run is interrupted or fails. */
function staging(outDir: string): string {
  const at = stagingDir(outDir);
  if (!existsSync(at)) {
    mkdirSync(at, { recursive: true });
    trackTemp(at);
  }
  return at;
}

/**
 * Moves the staged bundles `names` into `outDir` (each replacing an older one of its name) and removes
 * the bundles the results being replaced named that this run no longer has: the bundles in `outDir` are
 * then exactly those the new results name. Called just before results.json is written.
 */
export function publishBundles(outDir: string, names: string[]): void {
  const stage = stagingDir(outDir);
  const previous = join(outDir, "results.json");
  if (existsSync(previous)) {
    try {
      const old = JSON.parse(readFileSync(previous, "utf8")) as { rows?: { bundle?: string }[] };
      for (const b of old.rows?.flatMap((r) => (r.bundle ? [r.bundle] : [])) ?? []) {
        if (!names.includes(b) && basename(b) === b && b !== "" && !b.startsWith("."))
          rmSync(join(outDir, b), { recursive: true, force: true });
      }
    } catch {
      /* unreadable old results: nothing of theirs is removed */
    }
  }
  for (const name of names) {
    const staged = join(stage, name);
    if (!existsSync(staged)) continue;
    rmSync(join(outDir, name), { recursive: true, force: true });
    renameSync(staged, join(outDir, name));
  }
  rmSync(stage, { recursive: true, force: true });
  forgetTemp(stage);
}

/** Copies a finished bundle (a shard's) into the staging folder of `outDir`, to be published with the results. */
export function stageBundleCopy(from: string, outDir: string, name: string): void {
  cpSync(from, join(staging(outDir), name), { recursive: true });
}

/** Writes the bundle folder into the staging folder, atomically: built beside its staged place, then swapped in. */
export function writeBundle(dir: string, r: ReproInput, reproduced: string): void {
  const target = join(staging(dirname(dir)), basename(dir));
  const tmp = `${target}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  copyFileSync(r.originalPath, join(tmp, "original.wasm"));
  if (r.fusedPath && existsSync(r.fusedPath)) copyFileSync(r.fusedPath, join(tmp, fusedName(r.fuse)));
  if (r.stdin) writeFileSync(join(tmp, "stdin.bin"), r.stdin);
  writeFileSync(join(tmp, "repro.sh"), reproScript(r), { mode: 0o755 });
  writeFileSync(join(tmp, "REPRO.md"), reproMarkdown(r, reproduced));
  writeFileSync(join(tmp, "fuse.json"), jsonText(r.fuse));
  for (const [name, text] of Object.entries(r.captured)) writeFileSync(join(tmp, name), text);
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
}

/**
 * What "the same failure" means for a record: kiln's signature when it printed one; else the verdict,
 * and for a run that ended normally but printed the wrong thing, the sha256 of what it printed.
 */
export function failureKey(rec: Pick<RunRecord, "verdict" | "signature" | "stdoutSha256">): string {
  if (rec.signature) return formatSignature(rec.signature);
  return rec.verdict === "passed" || rec.verdict === "exit-nonzero"
    ? `${rec.verdict}, guest stdout sha256 ${rec.stdoutSha256.slice(0, 12)}`
    : rec.verdict;
}

export interface ReproTools {
  meld: string;
  kilnd?: string;
  wasmtime?: string;
}

/** Runs a bundle's repro.sh once and says whether it gave the same failure as `r` recorded. */
export async function rerunBundle(
  dir: string,
  r: ReproInput,
  tools: ReproTools,
  timeoutMs: number,
  env: Env,
): Promise<"same signature" | "not reproducible"> {
  const at = existsSync(stagedPath(dir)) ? stagedPath(dir) : dir;
  const p = await runProcess(["sh", join(at, "repro.sh")], {
    timeoutMs,
    stdin: "",
    env: {
      ...process.env,
      ...env,
      MELD: tools.meld,
      KILND: tools.kilnd ?? "kilnd",
      WASMTIME: tools.wasmtime ?? "wasmtime",
      RUST_BACKTRACE: "0",
    },
    maxCapture: 64 << 20,
  });
  const rec = r.failing.record;
  if (r.failing.engine === "meld-only" || !rec)
    return p.code !== 0 && !!r.fuse.message && p.stdout.includes(r.fuse.message.split(":")[0]!)
      ? "same signature"
      : "not reproducible";
  const got = r.failing.engine === "kiln" ? classifyKiln(p) : classifyWasmtime(p, r.invoke);
  const gotKey = failureKey({
    verdict: got.verdict,
    stdoutSha256: sha256(got.stdout),
    ...(got.signature ? { signature: got.signature } : {}),
  });
  return gotKey === failureKey(rec) ? "same signature" : "not reproducible";
}
