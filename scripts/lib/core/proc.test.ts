import { describe, expect, test } from "bun:test";
import { runProcess, shellLine, shellQuote, shellWords } from "./proc.ts";
import { processesLeft } from "../../testing/testkit.ts";
import { setDefaultTimeout } from "bun:test";

// Plain `bun test` (bun 1.4.5 ignores bunfig's [test] timeout): the subprocess tests here need more than 5 s.
setDefaultTimeout(300_000);

describe("runProcess", () => {
  test("captures stdout, stderr, exit code and feeds stdin", async () => {
    const p = await runProcess(["sh", "-c", "cat; echo err >&2; exit 7"], { stdin: "hello" });
    expect(p.stdout).toBe("hello");
    expect(p.stderr).toBe("err\n");
    expect(p.code).toBe(7);
    expect(p.timedOut).toBe(false);
  });

  test("ls_s_4_ a hung program is killed with its whole process tree on timeout", async () => {
    const marker = `seam-hang-${process.pid}-${Date.now()}`;
    const p = await runProcess(["bash", "-c", `exec -a ${marker} sleep 300 & exec -a ${marker} sleep 300`], {
      timeoutMs: 300,
    });
    expect(p.timedOut).toBe(true);
    expect(p.code).toBeNull();
    expect(await processesLeft(marker)).toBe("");
  });

  test("background children left by a program that exits are not orphaned", async () => {
    const marker = `seam-orphan-${process.pid}-${Date.now()}`;
    const p = await runProcess(["bash", "-c", `(exec -a ${marker} sleep 300) & echo started`], { timeoutMs: 10_000 });
    expect(p.stdout).toBe("started\n");
    expect(p.timedOut).toBe(false);
    expect(await processesLeft(marker)).toBe("");
  });

  test("capture is bounded but the full stream is counted and hashed", async () => {
    const p = await runProcess(["sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a"], { maxCapture: 1000 });
    expect(p.stdout.length).toBe(1000);
    expect(p.stdoutBytes).toBe(3_000_000);
    expect(p.stdoutTruncated).toBe(true);
    const full = new Bun.CryptoHasher("sha256").update("a".repeat(3_000_000)).digest("hex");
    expect(p.stdoutSha256).toBe(full);
  });

  test("a program that does not exist is a spawnError, not an exception", async () => {
    const p = await runProcess(["/nonexistent/seam-tool"]);
    expect(p.spawnError).toContain("ENOENT");
    expect(p.code).toBeNull();
  });

  test("death by signal is reported as the signal", async () => {
    const p = await runProcess(["sh", "-c", "kill -SEGV $$"]);
    expect(p.signal).toBe("SIGSEGV");
  });
});

describe("shellLine", () => {
  test("quotes only what needs quoting", () => {
    expect(shellLine(["meld", "fuse", "a b.wasm", "-o", "out.wasm"])).toBe("meld fuse 'a b.wasm' -o out.wasm");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  test("shellWords reads a line as sh reads it, and reads back what shellLine writes", () => {
    expect(shellWords(`A=1 bun scripts/x.ts '' ' ' 'a b' "c \\"d\\"" 'it'\\''s' -j`)).toEqual([
      "A=1",
      "bun",
      "scripts/x.ts",
      "",
      " ",
      "a b",
      'c "d"',
      "it's",
      "-j",
    ]);
    const argv = ["kilnd", "a b.wasm", "", "it's", '"q"', "--wasi-arg", "ünïcode"];
    expect(shellWords(shellLine(argv))).toEqual(argv);
    expect(() => shellWords("a 'b")).toThrow("an unclosed ' in: a 'b");
  });
});
