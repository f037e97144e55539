/**
 * actions — everything seam reads of, or writes for, a GitHub Actions run, in one place: whether it
 * runs in Actions, the repository and the link back to the run, the step summary, the `::error`
 * annotations the runner turns into check-run messages, and the event: which pull request it is about
 * and whether the token can write to it. Pure apart from reading the event payload and appending to the
 * step summary file.
 */
import { stripUserinfo } from "./token.ts";
import { appendFileSync } from "node:fs";
import { SeamError, EXIT, usageError } from "../core/errors.ts";
import { jsonAt, jsonPosInt, jsonString, type ReadOnlyReason } from "./rest.ts";
import { readIfPresent } from "../core/fsx.ts";
import type { Env } from "../core/proc.ts";

export interface ActionsContext {
  /** GITHUB_ACTIONS=true. */
  inActions: boolean;
  /** GITHUB_SERVER_URL, without a trailing slash (default https://github.com). */
  serverUrl: string;
  /** GITHUB_REPOSITORY (the run's own repository). */
  repository?: string;
  runId?: string;
  /** The run's page, when the server, repository and run id are all known. */
  runUrl?: string;
  /** GITHUB_STEP_SUMMARY: a file markdown is appended to. */
  stepSummary?: string;
  eventName?: string;
  eventPath?: string;
  ref?: string;
  actor?: string;
}

/** Reads the Actions variables seam uses; nothing else in seam reads GITHUB_* for the run itself. */
export function actionsContext(env: Env = process.env): ActionsContext {
  // Credentials in GITHUB_SERVER_URL must not reach the run link the comment shows.
  const serverUrl = stripUserinfo(env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const repository = env.GITHUB_REPOSITORY || undefined;
  const runId = env.GITHUB_RUN_ID || undefined;
  return {
    inActions: env.GITHUB_ACTIONS === "true",
    serverUrl,
    ...(repository ? { repository } : {}),
    ...(runId ? { runId } : {}),
    ...(env.GITHUB_SERVER_URL && repository && runId
      ? { runUrl: `${serverUrl}/${repository}/actions/runs/${runId}` }
      : {}),
    ...(env.GITHUB_STEP_SUMMARY ? { stepSummary: env.GITHUB_STEP_SUMMARY } : {}),
    ...(env.GITHUB_EVENT_NAME ? { eventName: env.GITHUB_EVENT_NAME } : {}),
    ...(env.GITHUB_EVENT_PATH ? { eventPath: env.GITHUB_EVENT_PATH } : {}),
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
  };
}

/** The run's page for a report's footer, or undefined outside Actions. */
export function runUrl(env: Env = process.env): string | undefined {
  return actionsContext(env).runUrl;
}

/** Appends markdown to the step summary when there is one; a summary that cannot be written is a
 * one-line error naming it (exit 2). Returns whether it wrote. */
export function appendStepSummary(markdown: string, env: Env = process.env): boolean {
  const path = actionsContext(env).stepSummary;
  if (!path) return false;
  try {
    appendFileSync(path, markdown.endsWith("\n") ? markdown : `${markdown}\n`);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SeamError(`cannot append to GITHUB_STEP_SUMMARY ${path}: ${code}`, {
      hint: "point GITHUB_STEP_SUMMARY at a writable file or unset it",
      exitCode: EXIT.usage,
    });
  }
}

/** A workflow command the runner shows as an annotation: `::error title=…::message`, escaped as it needs. */
export function annotation(level: "error" | "warning" | "notice", message: string, title?: string): string {
  const esc = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const prop = title ? ` title=${esc(title).replace(/:/g, "%3A").replace(/,/g, "%2C")}` : "";
  return `::${level}${prop}::${esc(message)}`;
}

/** The annotations to print, one per line, only inside Actions. */
export function annotations(lines: Parameters<typeof annotation>[], env: Env = process.env): string {
  return actionsContext(env).inActions ? lines.map((l) => annotation(...l) + "\n").join("") : "";
}

// ---------------------------------------------------------------------------------------------------
// The event: which pull request, and whether the token can write to it

/** What an event says of its pull request. */
export interface EventPullRequest {
  pr?: number;
  /** Where `pr` came from ("event pull_request", "GITHUB_REF", …). */
  source: string;
  /** workflow_run of a fork PR: GitHub leaves pull_requests empty, so find the PR by head and SHA. */
  lookup?: { head: string; sha: string };
  /** Why there is no pull request to post on. */
  notPullRequest?: string;
  readOnly?: ReadOnlyReason;
  /** workflow_run: the triggering run's page. */
  runUrl?: string;
}

const PR_EVENTS = ["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"];

/** The PR an Actions event is about, from its payload (or `refs/pull/N/…`), and whether the token can write. */
export function prFromEvent(
  eventName: string | undefined,
  payload: unknown,
  ref: string | undefined,
  repo: string | null,
  actor?: string,
): EventPullRequest {
  const name = eventName ?? "";
  if (PR_EVENTS.includes(name) && jsonPosInt(jsonAt(payload, "pull_request", "number"))) {
    const pr = jsonPosInt(jsonAt(payload, "pull_request", "number"))!;
    const head = jsonString(jsonAt(payload, "pull_request", "head", "repo", "full_name"));
    const base = jsonString(jsonAt(payload, "pull_request", "base", "repo", "full_name"));
    const writable = name === "pull_request_target";
    const readOnly: ReadOnlyReason | undefined = writable
      ? undefined
      : head !== base
        ? "fork"
        : actor === "dependabot[bot]"
          ? "dependabot"
          : undefined;
    return { pr, source: `event ${name}`, readOnly };
  }
  if (name === "issue_comment") {
    const n = jsonPosInt(jsonAt(payload, "issue", "number"));
    if (n && jsonAt(payload, "issue", "pull_request")) return { pr: n, source: "event issue_comment" };
    return { source: "", notPullRequest: "the issue_comment event is on an issue, not a pull request" };
  }
  if (name === "workflow_run") return prFromWorkflowRun(jsonAt(payload, "workflow_run"), repo);
  const m = /^refs\/pull\/(\d+)\/(?:merge|head)$/.exec(ref ?? "");
  if (m) return { pr: Number(m[1]), source: "GITHUB_REF" };
  return {
    source: "",
    notPullRequest: name ? `the ${name} event is not about a pull request` : "no pull request event",
  };
}

/** A workflow_run's PR: the one of `repo` it lists, else (a fork PR: none listed) its head to look the PR up by. */
function prFromWorkflowRun(wr: unknown, repo: string | null): EventPullRequest {
  const runUrl = jsonString(jsonAt(wr, "html_url"));
  const trigger = jsonString(jsonAt(wr, "event")) ?? "?";
  if (!trigger.startsWith("pull_request"))
    return { source: "", notPullRequest: `the workflow_run was triggered by ${trigger}, not a pull request`, runUrl };
  const prs = Array.isArray(jsonAt(wr, "pull_requests")) ? (jsonAt(wr, "pull_requests") as unknown[]) : [];
  const ours = prs.filter((p) => !repo || (jsonString(jsonAt(p, "url")) ?? "").includes(`/repos/${repo}/pulls/`));
  const n = jsonPosInt(jsonAt(ours[0], "number"));
  if (n) return { pr: n, source: "event workflow_run", runUrl };
  const owner = jsonString(jsonAt(wr, "head_repository", "owner", "login"));
  const branch = jsonString(jsonAt(wr, "head_branch"));
  const sha = jsonString(jsonAt(wr, "head_sha"));
  if (owner && branch && sha)
    return { source: "workflow_run head (fork PR)", lookup: { head: `${owner}:${branch}`, sha }, runUrl };
  return { source: "", notPullRequest: "the workflow_run payload names no pull request", runUrl };
}

/** The event payload at GITHUB_EVENT_PATH (null without one). Unless `needed` (with --pr it only refines
 * messages), a missing or bad file is ignored; when needed, it is one usage line. */
export function readEvent(env: Env, needed: boolean): unknown {
  const path = actionsContext(env).eventPath;
  if (!path) return null;
  try {
    const text = readIfPresent(path, "GITHUB_EVENT_PATH");
    if (text === null)
      throw usageError(
        `GITHUB_EVENT_PATH ${path} does not exist`,
        "point it at the event payload, unset it, or pass --pr N",
      );
    return JSON.parse(text);
  } catch (err) {
    if (!needed) return null;
    throw err instanceof SeamError ? err : usageError(`GITHUB_EVENT_PATH ${path} is not JSON`, "pass --pr N");
  }
}

/** The repository and pull request a run posts to, from flags (which win) and the Actions environment. */
export interface PullRequestContext {
  /** OWNER/NAME: --repo, else GH_REPO, else GITHUB_REPOSITORY. */
  repo: string | null;
  pr: number | null;
  /** Where `pr` came from ("--pr", "event pull_request", "GITHUB_REF", …). */
  prSource: string;
  prLookup?: { head: string; sha: string };
  /** In Actions on an event without a PR: why there is nothing to post. */
  notPullRequest?: string;
  /** The run's page (workflow_run: the triggering run's). */
  runUrl?: string;
  readOnly?: ReadOnlyReason;
  inActions: boolean;
}

/** Which repository and pull request (pure: the event payload is passed in, see readEvent). */
export function pullRequestContext(
  flags: { pr?: string; repo?: string },
  env: Env,
  event: unknown,
): PullRequestContext {
  const run = actionsContext(env);
  const repo = flags.repo ?? (env.GH_REPO || run.repository || null);
  if (repo !== null && !/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repo)) {
    throw usageError(
      `repository ${JSON.stringify(repo)} is not OWNER/NAME`,
      "pass --repo OWNER/NAME (or set GH_REPO / GITHUB_REPOSITORY)",
    );
  }
  const ev = prFromEvent(run.eventName, event, run.ref, repo, run.actor);
  const base = { repo, inActions: run.inActions, runUrl: ev.runUrl ?? run.runUrl, readOnly: ev.readOnly };
  if (flags.pr !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(flags.pr))
      throw usageError(`--pr ${JSON.stringify(flags.pr)} is not a pull-request number`, "e.g. --pr 42");
    return { ...base, pr: Number(flags.pr), prSource: "--pr" };
  }
  return {
    ...base,
    pr: ev.pr ?? null,
    prSource: ev.source,
    prLookup: ev.lookup,
    notPullRequest: ev.pr || ev.lookup ? undefined : ev.notPullRequest,
  };
}
