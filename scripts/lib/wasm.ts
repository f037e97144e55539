/**
 * wasm — a structural parse of a WebAssembly binary's outer layer: magic, version/layer, and every
 * section's id and size fitting the file exactly. Enough to say "this is a core module / a component
 * and it is not truncated"; full validation is a reference engine's job.
 */

export type WasmKind = "core" | "component";

export interface WasmShape {
  kind: WasmKind;
  sections: number;
}

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && i < at + 5; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new Error(`bad LEB128 at byte ${at}`);
}

/** Parses the outer structure or throws an Error saying what is wrong and where. */
export function parseWasmShape(bytes: Uint8Array): WasmShape {
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error("not a WebAssembly binary (no \\0asm magic)");
  }
  const version = bytes[4]! | (bytes[5]! << 8);
  const layer = bytes[6]! | (bytes[7]! << 8);
  let kind: WasmKind;
  if (version === 1 && layer === 0) kind = "core";
  else if (layer === 1) kind = "component";
  else throw new Error(`unknown wasm version ${version} layer ${layer}`);
  let at = 8;
  let sections = 0;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, next] = readLeb(bytes, at + 1);
    if (next + size > bytes.length) throw new Error(`section ${sections} (id ${id}) at byte ${at} runs past the end of the file`);
    at = next + size;
    sections++;
  }
  return { kind, sections };
}

/** An export name as wasmtime's wave call: `ns:pkg/iface@1.0#fn` → `ns:pkg/iface.fn@1.0()`, `fn` → `fn()`. */
export function waveCall(invoke: string): string {
  if (invoke.includes("(")) return invoke;
  const m = /^(.+?)(@[^#]+)?#(.+)$/.exec(invoke);
  return m ? `${m[1]}.${m[3]}${m[2] ?? ""}()` : `${invoke}()`;
}
