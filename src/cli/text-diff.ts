// A unified diff of two texts (as `diff -u` prints it), for skiff diff.
// Longest-common-subsequence on lines: manifests are small, clarity wins.

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // table[i][j]: LCS length of a[i..] and b[j..]
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: " ", line: a[i++], a: i, b: ++j });
    // On a tie, deletions first, as diff(1) prints them.
    else if (i < n && (j >= m || table[i + 1][j] >= table[i][j + 1])) ops.push({ kind: "-", line: a[i++], a: i, b: j });
    else ops.push({ kind: "+", line: b[j++], a: i, b: j });
  }
  return ops;
}

function lines(text: string): string[] {
  if (text === "") return [];
  return text.replace(/\n$/, "").split("\n");
}

/** "" when the texts are equal; else a unified diff with `context` lines around each change. */
export function unifiedDiff(before: string, after: string, beforeName: string, afterName: string, context = 3): string {
  const ops = lcsOps(lines(before), lines(after));
  if (ops.every((o) => o.kind === " ")) return "";
  let out = `--- ${beforeName}\n+++ ${afterName}\n`;
  let k = 0;
  while (k < ops.length) {
    if (ops[k].kind === " ") {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is no more than 2*context unchanged lines away.
    const start = Math.max(0, k - context);
    let end = k;
    let quiet = 0;
    for (let x = k; x < ops.length; x++) {
      if (ops[x].kind === " ") {
        quiet++;
        if (quiet > 2 * context) break;
      } else {
        quiet = 0;
        end = x;
      }
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const aCount = hunk.filter((o) => o.kind !== "+").length;
    const bCount = hunk.filter((o) => o.kind !== "-").length;
    const aStart = hunk.find((o) => o.kind !== "+")?.a ?? (start > 0 ? ops[start - 1].a : 0);
    const bStart = hunk.find((o) => o.kind !== "-")?.b ?? (start > 0 ? ops[start - 1].b : 0);
    out += `@@ -${aStart}${aCount === 1 ? "" : `,${aCount}`} +${bStart}${bCount === 1 ? "" : `,${bCount}`} @@\n`;
    for (const o of hunk) out += `${o.kind}${o.line}\n`;
    k = stop;
  }
  return out;
}
