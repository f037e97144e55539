/**
 * write — the repro bundle tier-c leaves for every failure: the original and the fused wasm, repro.sh
 * (lib/tierc/bundle/script.ts) and REPRO.md (text.ts), fuse.json, and kilnd's exact output of each step.
 * tier-c runs repro.sh once and writes whether it reproduced the row (a row's bundle: row.ts).
 * A bundle is built in a staging folder and moved into place only when the results that confirm it are
 * written (publishBundles, called by writeReports): an interrupted run leaves no bundle that looks done.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { forgetTemp, trackTemp } from "../../core/fsx.ts";
import { runProcess, type Env } from "../../core/proc.ts";
import { reproMarkdown } from "./text.ts";
import { reproScript } from "./script.ts";
import { fusedName, portableFuse, type ReproInput } from "./steps.ts";
import { jsonText } from "../../core/render.ts";
import { ROOT } from "../../core/paths.ts";

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

/** Text with the machine's paths (the bundle's sources and the folders they came from) made bundle-relative. */
export function portableText(text: string, r: Pick<ReproInput, "originalPath" | "fusedPath" | "fuse">): string {
  let out = text;
  if (r.fusedPath) out = out.split(r.fusedPath).join(fusedName(r.fuse)); // its name in the bundle
  out = out.split(r.originalPath).join("original.wasm");
  for (const dir of [dirname(r.originalPath), ...(r.fusedPath ? [dirname(r.fusedPath)] : []), tmpdir(), ROOT])
    out = out.split(`${dir}/`).join("");
  return out;
}

/** Writes the bundle folder into the staging folder, atomically: built beside its staged place, then swapped in.
 * `raw` holds kilnd's exact output of each step (step-N.kilnd.stdout/stderr), when it was run. */
export function writeBundle(
  dir: string,
  r: ReproInput,
  reproduced: string,
  raw: Record<string, Uint8Array> = {},
): void {
  const target = join(staging(dirname(dir)), basename(dir));
  const tmp = `${target}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  copyFileSync(r.originalPath, join(tmp, "original.wasm"));
  if (r.wasm !== "original.wasm" && r.fusedPath && existsSync(r.fusedPath))
    copyFileSync(r.fusedPath, join(tmp, r.wasm));
  if (r.stdin) writeFileSync(join(tmp, "stdin.bin"), r.stdin);
  for (const s of r.steps)
    if (s.expect.kind === "stdout" && s.expect.stdoutFile && s.expect.stdout !== undefined)
      writeFileSync(join(tmp, s.expect.stdoutFile), s.expect.stdout);
  writeFileSync(join(tmp, "repro.sh"), reproScript(r), { mode: 0o755 });
  writeFileSync(join(tmp, "REPRO.md"), portableText(reproMarkdown(r, reproduced, raw), r));
  writeFileSync(join(tmp, "fuse.json"), portableText(jsonText(portableFuse(r.fuse)), r));
  for (const [name, bytes] of Object.entries(raw)) writeFileSync(join(tmp, name), bytes);
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
}

/** What a re-run of repro.sh said: its exit status in words, and kilnd's exact output of each step; a run
 * that did not finish (interrupted, timed out, killed) says so in `fault` and is no answer at all. */
export interface Rerun {
  reproduced: "same signature" | "not reproducible";
  raw: Record<string, Uint8Array>;
  fault?: string;
}

/** Runs a bundle's repro.sh once with KILND, keeping kilnd's output of each step (REPRO_KEEP): exit 1,
 * the failure reproduced, is "same signature"; anything else "not reproducible". Its TMPDIR is seam's own
 * folder, removed here, so a repro.sh killed mid-step leaves nothing behind. */
export async function rerunBundle(dir: string, kilnd: string, timeoutMs: number, env: Env): Promise<Rerun> {
  const at = existsSync(stagedPath(dir)) ? stagedPath(dir) : dir;
  const scratch = mkdtempSync(join(tmpdir(), "seam-repro-"));
  trackTemp(scratch);
  const keep = join(scratch, "keep");
  mkdirSync(keep);
  mkdirSync(join(scratch, "tmp"));
  try {
    const p = await runProcess(["sh", join(at, "repro.sh")], {
      timeoutMs,
      stdin: "",
      env: {
        ...process.env,
        ...env,
        KILND: kilnd,
        REPRO_KEEP: keep,
        TMPDIR: join(scratch, "tmp"),
        MELD: "",
        RUST_BACKTRACE: "0",
      },
      maxCapture: 1 << 20,
    });
    const raw = Object.fromEntries(readdirSync(keep).map((n) => [n, new Uint8Array(readFileSync(join(keep, n)))]));
    const fault = p.fault ?? (p.timedOut ? "timeout" : p.signal ? `killed by ${p.signal}` : undefined);
    const reproduced = p.code === 1 && /^REPRODUCED: /m.test(p.stdout) ? "same signature" : "not reproducible";
    return { reproduced, raw, ...(fault ? { fault } : {}) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    forgetTemp(scratch);
  }
}
