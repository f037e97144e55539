/**
 * gh-actions — everything seam reads of, or writes for, a GitHub Actions run, in one place: whether it
 * runs in Actions, the repository and the link back to the run, the step summary, and the `::error`
 * annotations the runner turns into check-run messages. The event and pull request (post-comment's
 * concern) live here too. Pure apart from appending to the step summary file.
 */
import { appendFileSync } from "node:fs";
import { SeamError, EXIT } from "./errors.ts";

export type Env = Record<string, string | undefined>;

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
  const serverUrl = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
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
