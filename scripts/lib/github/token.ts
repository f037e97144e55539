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

/** Replaces the token (and the forms it travels in) and anything shaped like a GitHub token with ***. */
export function makeScrubber(secrets: (string | null | undefined)[]): (s: string) => string {
  const forms = new Set<string>();
  for (const t of secrets) {
    if (!t) continue;
    forms.add(t);
    forms.add(encodeURIComponent(t));
    forms.add(Buffer.from(t).toString("base64"));
    forms.add(Buffer.from(`x-access-token:${t}`).toString("base64"));
  }
  const list = [...forms].sort((a, b) => b.length - a.length);
  return (s: string) => {
    let out = s;
    for (const f of list) out = out.split(f).join("***");
    return out.replace(/\b(?:gh[pousr]_[A-Za-z0-9_]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, "***");
  };
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
