/**
 * token — where seam's GitHub token comes from, where it may be sent and where it must never show:
 * the token and API base from the environment (GH_TOKEN, GITHUB_TOKEN, GITHUB_API_URL), the rule that the
 * token travels only over https (http on loopback), and the scrubber every output passes through. Pure.
 */
import { SeamError, usageError } from "../core/errors.ts";
import type { Env } from "../core/proc.ts";

/** The token and the API base a client uses, from the environment. */
export interface ApiAccess {
  /** GH_TOKEN, else GITHUB_TOKEN; null when neither is set. */
  token: string | null;
  /** GITHUB_API_URL (default https://api.github.com), checked by checkApiUrl. */
  apiUrl: string;
}

/** GH_TOKEN over GITHUB_TOKEN, and the API base; a token no HTTP header can carry is one usage line. */
export function apiAccess(env: Env): ApiAccess {
  const token = (env.GH_TOKEN || env.GITHUB_TOKEN || "").trim() || null;
  // An HTTP header cannot carry it; fetch would fail with a message that is no help (never print the token).
  if (token !== null && !/^[\x21-\x7e]+$/.test(token)) {
    throw usageError(
      `${env.GH_TOKEN?.trim() ? "GH_TOKEN" : "GITHUB_TOKEN"} contains a space or a character no token has`,
      "set it to the token alone (a paste may have brought a line break or a non-ASCII character)",
    );
  }
  return { token, apiUrl: checkApiUrl(env.GITHUB_API_URL || "https://api.github.com") };
}

/** The scrubber for the tokens the environment holds (GH_TOKEN, GITHUB_TOKEN). */
export function envScrubber(env: Env): (s: string) => string {
  return makeScrubber([env.GH_TOKEN, env.GITHUB_TOKEN]);
}

/**
 * Replaces the token, in every form a server may echo it in, and anything shaped like a GitHub token with
 * ***; and strips the credentials from every URL (`https://user:pass@host` → `https://host`).
 * The forms: as written, in any case, split by whitespace or escaped line breaks (`\n`), each character
 * possibly JSON-escaped (`\u0067`, `\/`) or URL-encoded (`%67`); and base64 (and base64url) of the token at
 * each of the three alignments, so `x-access-token:TOKEN` or `user:TOKEN` basic auth is caught too.
 */
export function makeScrubber(secrets: (string | null | undefined)[]): (s: string) => string {
  const patterns: RegExp[] = [];
  const encoded = new Set<string>();
  for (const t of secrets) {
    if (!t) continue;
    patterns.push(tokenPattern(t));
    // Whole forms first (longest first below), so a Basic header reads `Basic ***`, not a remnant.
    for (const whole of [t, `x-access-token:${t}`]) encoded.add(Buffer.from(whole).toString("base64"));
    for (const form of new Set([t, t.toLowerCase(), t.toUpperCase()]))
      for (const core of base64Cores(form)) encoded.add(core);
  }
  const list = [...encoded].sort((a, b) => b.length - a.length);
  return (s: string) => {
    let out = stripUserinfo(s);
    for (const p of patterns) out = out.replace(p, "***");
    for (const f of list) out = out.split(f).join("***");
    return out.replace(/\b(?:gh[pousr]_[A-Za-z0-9_]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, "***");
  };
}

/** One character of the token in any form it may be echoed in: itself in either case, JSON-escaped
 * (`\u0067`, and `\/` `\"` `\\` for those three) or URL-encoded (`%67`). */
function charPattern(c: string): string {
  const literal = (x: string) => x.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  const alts = [...new Set([c.toLowerCase(), c.toUpperCase()])].flatMap((x) => {
    const hex = x.charCodeAt(0).toString(16).padStart(2, "0");
    const escaped = `/"\\`.includes(x) ? [literal(`\\${x}`)] : [];
    return [literal(x), `\\\\u00${hex}`, `%${hex}`, ...escaped];
  });
  return `(?:${alts.join("|")})`;
}

/** The token as a pattern: its characters in order, each in any form, with breaks (whitespace, an escaped
 * \n or \r) allowed between them. Case-insensitive for the \u and % hex digits. */
export function tokenPattern(token: string): RegExp {
  const gap = "(?:\\s|\\\\[nrt])*";
  return new RegExp([...token].map(charPattern).join(gap), "gi");
}

/** The parts of base64(x + token) that depend on the token alone, for each length of x mod 3, in both
 * alphabets: what any base64 text carrying the token holds, whatever came before it. */
export function base64Cores(token: string): string[] {
  if (token.length < 8) return [Buffer.from(token).toString("base64")];
  const cores: string[] = [];
  for (const pad of [0, 1, 2]) {
    const b64 = Buffer.from("\0".repeat(pad) + token).toString("base64");
    const from = pad === 0 ? 0 : 4; // the first quantum mixes the prefix in
    const whole = Math.floor((pad + token.length) / 3) * 4; // the last partial quantum depends on what follows
    const core = b64.slice(from, whole);
    cores.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return cores.filter((c) => c.length >= 8);
}

/** URLs with their credentials removed: `scheme://user:pass@host/…` → `scheme://host/…`. */
export function stripUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, "$1");
}

/** The same error with every string scrubbed (an internal error keeps its stack, scrubbed too). */
export function scrubError(err: unknown, scrub: (s: string) => string): Error {
  if (err instanceof SeamError) {
    return new SeamError(scrub(err.message), {
      hint: err.hint === undefined ? undefined : scrub(err.hint),
      exitCode: err.exitCode,
    });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const clean = new Error(scrub(e.message));
  clean.stack = scrub(e.stack ?? e.message);
  return clean;
}

/** An API base URL the token may be sent to: https, or http on loopback only (tests, local proxies). */
export function checkApiUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usageError(
      `GITHUB_API_URL ${JSON.stringify(raw)} is not a URL`,
      "e.g. https://api.github.com or https://ghe.example.com/api/v3",
    );
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    throw usageError(
      `GITHUB_API_URL ${raw} is not https: the token would travel in clear text`,
      "use the https:// address of the API",
    );
  }
  if (u.search || u.hash || u.username || u.password)
    throw usageError(`GITHUB_API_URL ${u.origin}${u.pathname} must not carry a query, fragment or credentials`);
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}
