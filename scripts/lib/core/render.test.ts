import { expect, test } from "bun:test";
import { junitXml, mdTable } from "./render.ts";

test("markdown cells cannot break the table; JUnit XML escapes and drops control characters", () => {
  expect(mdTable(["a"], [["x | y\nz"]])).toBe("| a |\n|---|\n| x \\| y<br>z |");
  const xml = junitXml("s", [{ classname: "c", name: "n<&>", seconds: 0, failure: { message: 'say "hi"\u0001' } }]);
  expect(xml).toContain('name="n&lt;&amp;&gt;"');
  expect(xml).toContain('<failure message="say &quot;hi&quot;">');
});
