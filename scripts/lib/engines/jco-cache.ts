/**
 * jco-cache — jco's transpile of a component, made once per (component bytes, jco version) into
 * .seam/jco/<key>/ and shared by every run of it: the jco engine's runs (through lib/engines/jco-host.ts) and the
 * list of functions a component exports. Kept apart from jco-host.ts, which Bun starts for every jco run:
 * the host imports nothing, so it starts in about 7 ms instead of about 18.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { classifyJco } from "./classify.ts";
import { JCO_HOST } from "./argv.ts";
import { EXIT, SeamError } from "../core/errors.ts";
import { atomicWriteJson, sha256, sha256File, trackTemp } from "../core/fsx.ts";
import { runProcess } from "../core/proc.ts";
import { ROOT } from "../core/paths.ts";

/** The jco package folder behind a jco binary (node_modules/.bin/jco → …/@bytecodealliance/jco). */
function jcoPackageDir(jcoBin: string): string {
  let dir = dirname(realpathSync(jcoBin));
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "@bytecodealliance/jco"
    )
      return dir;
  }
  throw new SeamError(`cannot find the @bytecodealliance/jco package behind ${jcoBin}`, {
    hint: "run `npm ci`, or point JCO at node_modules/.bin/jco of an npm install of jco",
    exitCode: EXIT.missingTool,
  });
}

/** The preview2-shim of the jco in `pkgDir` (npm nests it under jco; the project's node_modules need not have it). */
function jcoShim(pkgDir: string): string {
  try {
    return dirname(Bun.resolveSync("@bytecodealliance/preview2-shim/package.json", pkgDir));
  } catch {
    throw new SeamError(`jco's @bytecodealliance/preview2-shim is not installed beside ${pkgDir}`, {
      hint: "run `npm ci`",
      exitCode: EXIT.missingTool,
    });
  }
}

/**
 * Transpiles a component once per (component bytes, jco version) into .seam/jco/<key>/, beside which
 * — as `jco run` does — jco's own preview2-shim is linked, so the generated code imports the WASI shim
 * of the jco that made it.
 */
export async function transpileOnce(jco: string, wasm: string, timeoutMs: number): Promise<string> {
  const pkgDir = jcoPackageDir(jco);
  const shim = jcoShim(pkgDir);
  const key = sha256(`${sha256File(wasm)}\0${readFileSync(join(pkgDir, "package.json"), "utf8")}\0${shim}`);
  const dir = join(ROOT, ".seam", "jco", key.slice(0, 32));
  const js = join(dir, "component.js");
  if (existsSync(js)) return js;
  const tmp = `${dir}.${process.pid}.tmp`;
  const untrack = trackTemp(tmp);
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, "node_modules", "@bytecodealliance"), { recursive: true });
    const p = await runProcess([jco, "transpile", wasm, "-o", tmp, "--name", "component", "--no-typescript", "-q"], {
      timeoutMs,
    });
    if (p.code !== 0) {
      const c = classifyJco(p);
      throw new SeamError(`jco transpile failed: ${c.errorLine}`, { exitCode: EXIT.fail });
    }
    symlinkSync(shim, join(tmp, "node_modules", "@bytecodealliance", "preview2-shim"), "dir");
    writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }));
    try {
      renameSync(tmp, dir);
    } catch {
      /* a parallel run got there first */
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    untrack();
  }
  return js;
}

/**
 * The functions a component exports, by the names --invoke takes (`compute`,
 * `seam:fixtures/runner@0.1.0#compute`), or undefined when jco cannot tell. Read off the module jco
 * transpiles the component into, the one the jco engine calls: jco binds every exported function with
 * the component's own types, so the list is what can be called, nested components and all, where the
 * binary's export section alone names only `seam:fixtures/runner@0.1.0`. Remembered beside the transpiled
 * module (one transpile per content hash, shared with the jco engine's runs).
 */
export async function componentFunctions(jco: string, wasm: string, timeoutMs: number): Promise<string[] | undefined> {
  let js: string;
  try {
    js = await transpileOnce(jco, wasm, timeoutMs);
  } catch {
    return undefined;
  }
  const memo = join(dirname(js), "exports.json");
  if (existsSync(memo)) {
    try {
      return JSON.parse(readFileSync(memo, "utf8")) as string[];
    } catch {
      /* damaged: list again */
    }
  }
  const p = await runProcess([process.execPath, JCO_HOST, js, "--exports"], { timeoutMs, stdin: "" });
  if (p.code !== 0) return undefined;
  let names: string[];
  try {
    names = JSON.parse(p.stdout) as string[];
  } catch {
    return undefined;
  }
  try {
    atomicWriteJson(memo, names);
  } catch {
    /* a read-only cache: list again next time */
  }
  return names;
}
