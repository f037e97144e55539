import { expect, test } from "bun:test";
import { escapeControl, junitXml, mdFence, mdInert, mdTable } from "./render.ts";

test("markdown cells cannot break the table; JUnit XML escapes and drops control characters", () => {
  expect(mdTable(["a"], [["x | y\nz"]])).toBe("| a |\n|---|\n| x \\| y<br>z |");
  const xml = junitXml("s", [{ classname: "c", name: "n<&>", seconds: 0, failure: { message: 'say "hi"\u0001' } }]);
  expect(xml).toContain('name="n&lt;&amp;&gt;"');
  expect(xml).toContain('<failure message="say &quot;hi&quot;">');
});

test("guest text stays inert: fences outgrow any backtick run, control bytes are shown, mentions are unlinked", () => {
  const hostile = "a\n```\n# heading\n</details>\u001b[31m\r\0";
  const fenced = mdFence(hostile);
  expect(fenced.startsWith("````\n")).toBe(true);
  expect(fenced.endsWith("\n````")).toBe(true);
  expect(fenced).toContain("\\x1b[31m\\r\\0");
  expect(fenced).not.toMatch(/[\x00-\x08\x0B-\x1F]/);
  expect(mdFence("plain", "text")).toBe("```text\nplain\n```");
  expect(mdFence("x ````` y").split("\n")[0]).toBe("``````");
  expect(escapeControl("tab\tnl\n\x7f\x9b")).toBe("tab\tnl\n\\x7f\\x9b");
  const inert = mdInert("hi @octocat </details> #12");
  expect(inert).not.toContain("@octocat");
  expect(inert).toContain("&lt;/details&gt;");
  expect(inert).toContain("\\#12");
});
