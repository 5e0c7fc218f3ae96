import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unifiedDiff } from "../../src/cli/text-diff.ts";

/** Apply a unified diff's hunks to `before` (the way patch(1) would, without fuzz). */
function applyDiff(before: string, diff: string): string {
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let pos = 0;
  const lines = diff.split("\n").slice(2, -1);
  for (const l of lines) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(l);
    if (h) {
      const start = Number(h[1]);
      const count = h[2] === undefined ? 1 : Number(h[2]);
      const first = count === 0 ? start : start - 1;
      while (pos < first) out.push(a[pos++]);
      continue;
    }
    if (l[0] === " ") {
      expect(a[pos]).toBe(l.slice(1));
      out.push(a[pos++]);
    } else if (l[0] === "-") {
      expect(a[pos]).toBe(l.slice(1));
      pos++;
    } else if (l[0] === "+") out.push(l.slice(1));
  }
  while (pos < a.length) out.push(a[pos++]);
  return out.length ? out.join("\n") + "\n" : "";
}

describe("unifiedDiff", () => {
  test("equal texts give nothing", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "x", "y")).toBe("");
  });

  test("matches diff -u on a simple change", () => {
    const before = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"].join("\n") + "\n";
    const after = ["1", "2", "3", "4", "five", "6", "7", "8", "9", "10", "11"].join("\n") + "\n";
    const dir = mkdtempSync(join(tmpdir(), "skiff-diff-"));
    try {
      writeFileSync(join(dir, "a"), before);
      writeFileSync(join(dir, "b"), after);
      const gnu = Bun.spawnSync(["diff", "-u", join(dir, "a"), join(dir, "b")]).stdout.toString();
      const ours = unifiedDiff(before, after, "a", "b");
      expect(ours.split("\n").slice(2)).toEqual(gnu.split("\n").slice(2));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("creation and deletion of whole texts", () => {
    expect(unifiedDiff("", "a\nb\n", "x", "y")).toBe("--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n");
    expect(unifiedDiff("a\n", "", "x", "y")).toBe("--- x\n+++ y\n@@ -1 +0,0 @@\n-a\n");
  });

  test("random edits: the diff always turns before into after", () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(30) }, () => `l${rand(8)}`);
      const b = [...a];
      for (let e = rand(6); e > 0; e--) {
        const at = rand(b.length + 1);
        if (rand(2) && b.length) b.splice(at, 1);
        else b.splice(at, 0, `n${rand(8)}`);
      }
      const before = a.length ? a.join("\n") + "\n" : "";
      const after = b.length ? b.join("\n") + "\n" : "";
      const d = unifiedDiff(before, after, "a", "b", rand(4));
      if (before === after) expect(d).toBe("");
      else expect(applyDiff(before, d)).toBe(after);
    }
  });
});
