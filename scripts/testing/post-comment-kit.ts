/**
 * post-comment-kit — what the tests of post-comment share: the token and login the loopback GitHub
 * (fake-github.ts, a test double) knows, a fake started and stopped around each test, postComment run
 * against it with the waits it asks for recorded instead of slept, and small checks on the outcome.
 * Used only by scripts/post-comment*.test.ts.
 */
import { SeamError } from "../lib/core/errors.ts";
import type { PostOptions } from "../lib/comment/upsert.ts";
import { postComment } from "../lib/comment/post.ts";
import { startFakeGitHub, type FakeGitHub, type FakeOptions } from "./fake-github.ts";

/** Not shaped like a GitHub token on purpose: scrubbing must find it by value, not by pattern. */
export const TOKEN = "seam-test-token-7Qx9vL2mN4pR8sT1";
export const ME = "seam-bot";
/** An Actions GITHUB_TOKEN is an installation token with this prefix. */
export const ACTIONS_TOKEN = "ghs_" + "Actions0Token1For2Tests3Only4abcdef";
export const M = "<!-- seam:test -->";
export const REPO = "acme/widgets";

export const body = (text = "hello") => `${M}\n## Report\n\n${text}\n`;

/** Runs `fn` against a fresh loopback GitHub that knows TOKEN as ME, and stops it after. */
export async function withFake<T>(opts: FakeOptions, fn: (fake: FakeGitHub) => Promise<T>): Promise<T> {
  const fake = startFakeGitHub({ repo: REPO, ...opts, tokens: { [TOKEN]: { login: ME }, ...opts.tokens } });
  try {
    return await fn(fake);
  } finally {
    fake.stop();
  }
}

/** Runs the core against the fake, recording the waits it asks for instead of sleeping. */
export function run(fake: FakeGitHub, over: Partial<PostOptions> = {}, now = () => Date.parse("2026-01-01T00:00:00Z")) {
  const waits: number[] = [];
  const progress: string[] = [];
  const promise = postComment(
    { apiUrl: fake.apiUrl, repo: REPO, pr: 7, token: TOKEN, marker: M, body: body(), mode: "upsert", ...over },
    { sleep: async (ms) => void waits.push(ms), now, onProgress: (l) => progress.push(l) },
  );
  return { promise, waits, progress };
}

/** The SeamError a promise fails with; success (or another error) fails the test. */
export async function failure(p: Promise<unknown>): Promise<SeamError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SeamError) return err;
    throw err;
  }
  throw new Error("expected a SeamError, got success");
}

/** How many writes (POST, PATCH, DELETE) the fake saw. */
export function writes(fake: FakeGitHub): number {
  return fake.count("POST") + fake.count("PATCH") + fake.count("DELETE");
}
