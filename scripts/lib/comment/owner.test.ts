import { describe, expect, test } from "bun:test";
import { ACTIONS_BOT, findOwn, isOurs, sameBody, type IssueComment } from "./owner.ts";

const ME = "seam-bot";
const M = "<!-- seam:test -->";

describe("pure helpers", () => {
  test("ls_c_3_ only comments whose first line is the marker and whose author is us are ours, newest first", () => {
    const c = (id: number, login: string | null, text: string, at: string): IssueComment => ({
      id,
      login,
      authorType: "User",
      body: text,
      createdAt: at,
      url: `u${id}`,
    });
    const all = [
      c(1, ME, `${M}\nold`, "2026-01-01T00:00:01Z"),
      c(2, "alice", `${M}\ncopied`, "2026-01-01T00:00:02Z"),
      c(3, ME, `quoting:\n${M}`, "2026-01-01T00:00:03Z"),
      c(4, "SEAM-BOT", `${M}\r\nnewer`, "2026-01-01T00:00:04Z"),
      c(5, null, `${M}\nghost`, "2026-01-01T00:00:05Z"),
    ];
    const { mine, foreign } = findOwn(all, M, ME);
    expect(mine.map((x) => x.id)).toEqual([4, 1]);
    expect(foreign.map((x) => x.id)).toEqual([2, 5]);
  });

  test("ls_c_3_ an installation token (login unknown) owns only marked comments written by a Bot account, never a person's", () => {
    const c = (id: number, login: string, authorType: string | null, text = `${M}\nreport`): IssueComment => ({
      id,
      login,
      authorType,
      body: text,
      createdAt: `2026-01-01T00:00:0${id}Z`,
      url: `u${id}`,
    });
    const all = [
      c(1, ACTIONS_BOT, "Bot"),
      c(2, "alice", "User"),
      c(3, "my-app[bot]", "Bot"),
      c(4, "my-app[bot]", "Bot", `quoting:\n${M}`),
      c(5, "mallory", "Organization"),
      c(6, "ghost", null),
    ];
    const { mine, foreign } = findOwn(all, M, null);
    expect(mine.map((x) => x.id)).toEqual([3, 1]);
    expect(foreign.map((x) => x.id)).toEqual([2, 5, 6]);
    // The type decides, not the login: a "User" whose login looks like a bot's is a person.
    expect(isOurs(c(7, "my-app[bot]", "User"), null)).toBe(false);
    // A known login (--author, GET /user) keeps matching by login alone.
    expect(findOwn(all, M, "my-app[bot]").mine.map((x) => x.id)).toEqual([3]);
  });

  test("an unchanged body ignores line endings and trailing blanks only", () => {
    expect(sameBody("a\r\nb\n\n", "a\nb")).toBe(true);
    expect(sameBody("a\nb", "a\nc")).toBe(false);
  });
});
