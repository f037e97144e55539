/**
 * fake-github — a TEST DOUBLE of GitHub's REST API, never GitHub itself. A real `Bun.serve` HTTP server on
 * 127.0.0.1, port 0, that answers the endpoints post-comment.ts uses the way api.github.com does:
 * Bearer auth (401 "Bad credentials"), the headers GitHub expects (violations are recorded), issue
 * comments with ids, authors, `per_page`/`page` and `Link` headers that point at `/repositories/{id}/…`
 * as GitHub's do, 422 on bodies over 65,536 characters, 403 for read-only (fork) tokens, GET /user
 * answering 403 to installation tokens. Faults are injected per request and every request is logged.
 * Used only by the tests of post-comment (scripts/testing/post-comment-kit.ts, scripts/post-comment*.test.ts).
 */

export const FAKE_REPO_ID = 4242;

export interface FakeUser {
  login: string;
  /** An installation token (an Actions GITHUB_TOKEN or a GitHub App): GET /user answers 403. */
  installation?: boolean;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: "User" | "Bot" };
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface FakePull {
  number: number;
  state: "open" | "closed";
  head: { label: string; ref: string; sha: string };
}

/** A response a fault replaces the real one with; `network` resets the connection mid-body instead. */
export interface FakeFault {
  method?: string;
  /** Matched against the path (without the API prefix), e.g. /\/comments$/ or "/user". */
  path?: string | RegExp;
  /** Only for this `page` query value (1 when absent). */
  page?: number;
  /** How many matching requests it hits (default 1). */
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  network?: boolean;
  /** Do the real work first (e.g. create the comment), then answer with the fault. */
  afterEffect?: boolean;
}

export interface LoggedRequest {
  method: string;
  /** Path without the API prefix, query included. */
  url: string;
  path: string;
  page: number;
  status: number;
  /** What the request asked to write (POST/PATCH body text), for assertions. */
  body?: string;
}

export interface FakeOptions {
  repo?: string;
  /** Issue (PR) numbers that exist; default [7]. */
  issues?: number[];
  tokens?: Record<string, FakeUser>;
  pulls?: FakePull[];
  /** Every write answers 403 "Resource not accessible by integration" (a fork PR's read-only token). */
  readOnly?: boolean;
  /** Error bodies repeat the request's Authorization header (a badly behaved proxy or server). */
  echoAuth?: boolean;
  /** Serve under a path prefix, as GitHub Enterprise Server does with /api/v3. */
  prefix?: string;
}

export interface FakeGitHub {
  /** The base a client puts in GITHUB_API_URL. */
  apiUrl: string;
  requests: LoggedRequest[];
  /** Header rules a request broke (wrong Accept, missing API version, no User-Agent …). */
  violations: string[];
  comments: Map<number, FakeComment[]>;
  faults: FakeFault[];
  /** A comment as `login` wrote it; its user type is GitHub's ("Bot" for an App's `…[bot]` login, else "User") unless given. */
  addComment(issue: number, login: string, body: string, type?: FakeComment["user"]["type"]): FakeComment;
  /** Requests matching a method (and a path substring). */
  count(method?: string, pathPart?: string): number;
  stop(): void;
}

const GITHUB_LIMIT = 65_536;
const DOCS = "https://docs.github.com/rest";

type Answer = (status: number, json?: unknown, headers?: Record<string, string>) => Response;

/** The fake's state: its options, its comments and pulls, what it was asked and what it was told to fail. */
interface Fake {
  opts: FakeOptions;
  repo: string;
  prefix: string;
  tokens: Record<string, FakeUser>;
  comments: Map<number, FakeComment[]>;
  requests: LoggedRequest[];
  violations: string[];
  faults: FakeFault[];
  nextId: number;
  clock: number;
  /** The server's origin, for Link headers. */
  origin: string;
}

export function startFakeGitHub(opts: FakeOptions = {}): FakeGitHub {
  const fake: Fake = {
    opts,
    repo: opts.repo ?? "acme/widgets",
    prefix: opts.prefix ?? "",
    tokens: opts.tokens ?? {},
    comments: new Map<number, FakeComment[]>((opts.issues ?? [7]).map((n) => [n, []])),
    requests: [],
    violations: [],
    faults: [],
    nextId: 1_000_001,
    clock: Date.parse("2026-01-01T00:00:00Z"),
    origin: "",
  };
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => handle(fake, req) });
  fake.origin = server.url.origin;
  const { requests, violations, comments, faults } = fake;
  return {
    apiUrl: `${server.url.origin}${fake.prefix}`,
    requests,
    violations,
    comments,
    faults,
    addComment: (issue, login, body, type) => addComment(fake, issue, login, body, type),
    count: (method, pathPart) =>
      requests.filter((r) => (!method || r.method === method) && (!pathPart || r.path.includes(pathPart))).length,
    stop: () => void server.stop(true),
  };
}

const stamp = (fake: Fake) => new Date((fake.clock += 1000)).toISOString().replace(/\.\d{3}Z$/, "Z");

function addComment(
  fake: Fake,
  issue: number,
  login: string,
  body: string,
  type?: FakeComment["user"]["type"],
): FakeComment {
  const list = fake.comments.get(issue);
  if (!list) throw new Error(`fake-github: issue ${issue} does not exist`);
  const at = stamp(fake);
  const id = fake.nextId++;
  const c: FakeComment = {
    id,
    body,
    user: { login, type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") },
    created_at: at,
    updated_at: at,
    html_url: `https://github.com/${fake.repo}/pull/${issue}#issuecomment-${id}`,
  };
  list.push(c);
  return c;
}

/** One request: logged, its headers checked, then a fault or the real answer (or both, for afterEffect). */
async function handle(fake: Fake, req: Request): Promise<Response> {
  const u = new URL(req.url);
  const { prefix } = fake;
  const path = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) : u.pathname;
  const page = Number(u.searchParams.get("page") ?? "1");
  const body = req.method === "POST" || req.method === "PATCH" ? await req.text() : undefined;
  const entry: LoggedRequest = { method: req.method, url: path + u.search, path, page, status: 0, body };
  fake.requests.push(entry);
  const auth = req.headers.get("authorization") ?? "";
  const answer = answerer(fake.opts, entry, auth);

  checkHeaders(req, fake.violations);
  if (!u.pathname.startsWith(prefix)) return answer(404, { message: "Not Found", documentation_url: DOCS });
  if (!req.headers.get("user-agent")) {
    return answer(403, {
      message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
    });
  }

  const fault = fake.faults.find((f) => (f.times ?? 1) > 0 && matches(f, req.method, path, page));
  if (fault && !fault.afterEffect) return applyFault(fault, entry, answer);

  const real = route(fake, { method: req.method, path, q: u.searchParams, body, auth }, answer);
  if (fault) return applyFault(fault, entry, answer);
  return real;
}

/** Answers as GitHub does (JSON, rate-limit headers); with echoAuth, an error repeats the Authorization header. */
function answerer(opts: FakeOptions, entry: LoggedRequest, auth: string): Answer {
  return (status, json, headers = {}) => {
    entry.status = status;
    if (status >= 400 && opts.echoAuth && json && typeof json === "object") {
      const j = json as { message?: string };
      json = {
        ...j,
        message: `${j.message ?? ""} (request had Authorization: ${auth})`,
        request_headers: { authorization: auth },
      };
    }
    const h = {
      "content-type": "application/json; charset=utf-8",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      ...headers,
    };
    return new Response(json === undefined ? null : JSON.stringify(json), { status, headers: h });
  };
}

function applyFault(f: FakeFault, entry: LoggedRequest, answer: Answer): Response {
  f.times = (f.times ?? 1) - 1;
  if (f.network) {
    entry.status = -1;
    // Headers go out, then the connection drops mid-body: the client sees ECONNRESET.
    return new Response(
      new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('{"mess')), c.error()) }),
    );
  }
  return answer(f.status ?? 500, f.json ?? { message: "Server Error" }, f.headers);
}

interface Call {
  method: string;
  path: string;
  q: URLSearchParams;
  body: string | undefined;
  auth: string;
}

/** Authentication, then the endpoint: GET /user, a PR's comments, one comment, or the repository's pulls. */
function route(fake: Fake, call: Call, answer: Answer): Response {
  const m = /^(?:Bearer|token) (.+)$/.exec(call.auth);
  if (!m) return answer(401, { message: "Requires authentication", documentation_url: DOCS });
  const who = fake.tokens[m[1]!];
  if (!who) return answer(401, { message: "Bad credentials", documentation_url: DOCS });

  if (call.path === "/user" && call.method === "GET") {
    if (who.installation) {
      return answer(403, {
        message: "Resource not accessible by integration",
        documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
        status: "403",
      });
    }
    return answer(200, { login: who.login, id: 1, type: "User" });
  }

  const repoPart = `/repos/${fake.repo}`;
  const byId = `/repositories/${FAKE_REPO_ID}`;
  const base = call.path.startsWith(repoPart + "/") ? repoPart : call.path.startsWith(byId + "/") ? byId : null;
  if (!base) return answer(404, { message: "Not Found", documentation_url: DOCS });
  const rest = call.path.slice(base.length);

  let mm: RegExpExecArray | null;
  if ((mm = /^\/issues\/(\d+)\/comments$/.exec(rest))) return issueComments(fake, Number(mm[1]), who, call, answer);
  if ((mm = /^\/issues\/comments\/(\d+)$/.exec(rest))) return oneComment(fake, Number(mm[1]), call, answer);
  if (rest === "/pulls" && call.method === "GET") {
    const head = call.q.get("head");
    const state = call.q.get("state") ?? "open";
    const pulls = (fake.opts.pulls ?? []).filter(
      (p) => (state === "all" || p.state === state) && (!head || p.head.label === head),
    );
    return answer(200, pulls);
  }
  return answer(404, { message: "Not Found", documentation_url: DOCS });
}

/** GET (one page) or POST a PR's comments. */
function issueComments(fake: Fake, issue: number, who: FakeUser, call: Call, answer: Answer): Response {
  const list = fake.comments.get(issue);
  if (!list) return answer(404, { message: "Not Found", documentation_url: DOCS });
  if (call.method === "GET") return listPage(fake, list, issue, call.q, answer);
  if (call.method !== "POST") return answer(404, { message: "Not Found" });
  if (fake.opts.readOnly) return forbidden(answer);
  const text = parseBody(call.body);
  if (text === null) return answer(400, { message: "Problems parsing JSON" });
  if ([...text].length > GITHUB_LIMIT) return tooLong(answer);
  if (!text.trim())
    return answer(422, {
      message: "Validation Failed",
      errors: [{ resource: "IssueComment", code: "missing_field", field: "body" }],
    });
  return answer(201, addComment(fake, issue, who.login, text));
}

/** PATCH or DELETE one comment, whoever wrote it. */
function oneComment(fake: Fake, id: number, call: Call, answer: Answer): Response {
  let found: { list: FakeComment[]; i: number } | null = null;
  for (const list of fake.comments.values()) {
    const i = list.findIndex((c) => c.id === id);
    if (i >= 0) found = { list, i };
  }
  if (!found) return answer(404, { message: "Not Found", documentation_url: DOCS });
  if (fake.opts.readOnly && call.method !== "GET") return forbidden(answer);
  // Like GitHub, a token with write access may edit or delete ANY comment: the author check is the client's job.
  if (call.method === "PATCH") {
    const text = parseBody(call.body);
    if (text === null) return answer(400, { message: "Problems parsing JSON" });
    if ([...text].length > GITHUB_LIMIT) return tooLong(answer);
    const c = found.list[found.i]!;
    c.body = text;
    c.updated_at = stamp(fake);
    return answer(200, c);
  }
  if (call.method === "DELETE") {
    found.list.splice(found.i, 1);
    return answer(204);
  }
  return answer(404, { message: "Not Found" });
}

/** One page of comments, with GitHub's Link header pointing at /repositories/{id}/…. */
function listPage(fake: Fake, list: FakeComment[], issue: number, q: URLSearchParams, answer: Answer): Response {
  const perPage = Math.min(100, Math.max(1, Number(q.get("per_page") ?? "30")));
  const page = Math.max(1, Number(q.get("page") ?? "1"));
  const since = q.get("since");
  const all = since ? list.filter((c) => c.updated_at >= since) : list;
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const link = (p: number) => {
    const params = new URLSearchParams({ per_page: String(perPage), page: String(p) });
    if (since) params.set("since", since);
    return `<${fake.origin}${fake.prefix}/repositories/${FAKE_REPO_ID}/issues/${issue}/comments?${params}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`);
  return answer(200, all.slice((page - 1) * perPage, page * perPage), rels.length ? { link: rels.join(", ") } : {});
}

function matches(f: FakeFault, method: string, path: string, page: number): boolean {
  if (f.method && f.method !== method) return false;
  if (f.page !== undefined && f.page !== page) return false;
  if (typeof f.path === "string" && f.path !== path) return false;
  if (f.path instanceof RegExp && !f.path.test(path)) return false;
  return true;
}

function checkHeaders(req: Request, violations: string[]): void {
  const where = `${req.method} ${new URL(req.url).pathname}`;
  if (req.headers.get("accept") !== "application/vnd.github+json")
    violations.push(`${where}: Accept is ${req.headers.get("accept")}`);
  if (req.headers.get("x-github-api-version") !== "2022-11-28")
    violations.push(`${where}: X-GitHub-Api-Version is ${req.headers.get("x-github-api-version")}`);
  if (!req.headers.get("user-agent")) violations.push(`${where}: no User-Agent`);
  if (!/^Bearer \S+$/.test(req.headers.get("authorization") ?? ""))
    violations.push(`${where}: Authorization is not "Bearer <token>"`);
  if (
    (req.method === "POST" || req.method === "PATCH") &&
    !(req.headers.get("content-type") ?? "").startsWith("application/json")
  ) {
    violations.push(`${where}: Content-Type is ${req.headers.get("content-type")}`);
  }
}

function parseBody(text: string | undefined): string | null {
  try {
    const j = JSON.parse(text ?? "");
    return typeof j?.body === "string" ? j.body : null;
  } catch {
    return null;
  }
}

function forbidden(answer: Answer): Response {
  return answer(403, {
    message: "Resource not accessible by integration",
    documentation_url: `${DOCS}/issues/comments#create-an-issue-comment`,
    status: "403",
  });
}

function tooLong(answer: Answer): Response {
  return answer(422, {
    message: "Validation Failed",
    errors: [
      {
        resource: "IssueComment",
        code: "custom",
        field: "body",
        message: "body is too long (maximum is 65536 characters)",
      },
    ],
    documentation_url: `${DOCS}/issues/comments#create-an-issue-comment`,
  });
}
