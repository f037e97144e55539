import { expect, test } from "bun:test";
import { ghAnnotation, junitXml, mdTable } from "./render.ts";

test("a GitHub annotation keeps a multi-line message and a title with : and , on one workflow-command line", () => {
  expect(ghAnnotation("error", "was [Runtime][E0BBB]\nnow 100%", "seam hello (multi): blocker-moved, again")).toBe(
    "::error title=seam hello (multi)%3A blocker-moved%2C again::was [Runtime][E0BBB]%0Anow 100%25",
  );
});

test("markdown cells cannot break the table; JUnit XML escapes and drops control characters", () => {
  expect(mdTable(["a"], [["x | y\nz"]])).toBe("| a |\n|---|\n| x \\| y<br>z |");
  const xml = junitXml("s", [{ classname: "c", name: "n<&>", seconds: 0, failure: { message: 'say "hi"\u0001' } }]);
  expect(xml).toContain('name="n&lt;&amp;&gt;"');
  expect(xml).toContain('<failure message="say &quot;hi&quot;">');
});
