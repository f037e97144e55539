/**
 * kiln-stream — the size and sha256 of the guest's part of kilnd's stdout, taken while it streams, so they
 * cover every byte the guest printed however much of the stream seam keeps (a guest printing 200 MB
 * through kilnd is judged on all 200 MB, not on the kept head). The rules are classify.ts's guestText and
 * COMPLETION, applied line by line: the guest's text starts after `[INFO] Executing function` (a component's
 * after `[INFO] Calling wasi:cli/run entry point`), kilnd's own
 * log lines are dropped (one glued to an unterminated guest line is split off), and it ends before the
 * newline that precedes kilnd's last `✓ Function …` line. Used by lib/engines/run.ts; pure but for hashing.
 */
import { createHash, type Hash } from "node:crypto";

const STARTED = "[INFO] Executing function";
/** A component's guest starts after this line instead (classify.ts's STARTED_COMPONENT). */
const STARTED_COMPONENT = "[INFO] Calling wasi:cli/run entry point";
/** Lines are read as latin1 (one char per byte, so the guest's bytes hash as they are): ✓ is its UTF-8 bytes. */
const CHECK = Buffer.from("✓").toString("latin1");
const COMPLETION_LINE = new RegExp(
  `^${CHECK} Function '[^'\\n]*' (?:completed \\(no return values\\)|returned \\d+ value\\(s\\):)$`,
);
const LOG_LINE = /^\[(?:INFO|WARN|ERROR|DEBUG|TRACE)\] /;
const GLUED = /(?<=[^\n])(\[(?:INFO|WARN|ERROR|DEBUG|TRACE)\] )/g;
/** A line longer than this is the guest's own (kilnd's lines are short): hashed as it comes, not held. */
const LONG_LINE = 1 << 20;

export interface GuestDigest {
  bytes: number;
  sha256: string;
}

export class KilnGuestDigest {
  private hash: Hash = createHash("sha256");
  private bytes = 0;
  private started = false;
  /** The newline ending the last guest line, held until the next line shows it is not kilnd's. */
  private pendingNewline = false;
  private partial = "";
  /** The digest as it stood before the latest completion line (what the guest printed, if it is the last). */
  private atCompletion: { hash: Hash; bytes: number } | undefined;

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString("latin1");
    const lines = text.split("\n");
    this.partial = lines.pop()!;
    for (const line of lines) this.line(line);
    if (this.started && this.partial.length > LONG_LINE && !this.partial.includes("[")) {
      this.emitNewline();
      this.emit(this.partial);
      this.partial = "";
    }
  }

  private emit(text: string): void {
    if (!text) return;
    const b = Buffer.from(text, "latin1");
    this.hash.update(b);
    this.bytes += b.length;
  }

  private emitNewline(): void {
    if (this.pendingNewline) this.emit("\n");
    this.pendingNewline = false;
  }

  private line(line: string): void {
    if (!this.started) {
      this.started = line.endsWith(STARTED) || line === STARTED_COMPONENT;
      return;
    }
    if (COMPLETION_LINE.test(line)) this.atCompletion = { hash: this.hash.copy(), bytes: this.bytes };
    this.emitNewline();
    const parts = line.replace(GLUED, "\u0001\n$1").split("\n");
    const last = parts.pop()!;
    for (const p of parts) if (!LOG_LINE.test(p)) this.emit(p.slice(0, -1));
    if (LOG_LINE.test(last)) return;
    this.emit(last);
    this.pendingNewline = true;
  }

  /** The guest's bytes and sha256, once the stream has ended. */
  digest(): GuestDigest {
    if (this.started && this.partial) {
      this.line(this.partial); // an unterminated last line: it has no newline of its own
      this.pendingNewline = false;
    } else if (!this.atCompletion) this.emitNewline();
    const end = this.atCompletion ?? { hash: this.hash, bytes: this.bytes };
    return { bytes: end.bytes, sha256: end.hash.digest("hex") };
  }
}
