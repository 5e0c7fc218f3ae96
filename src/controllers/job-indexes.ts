// Completion indexes of an Indexed Job: which index a pod runs, which indexes
// are done ("1,3-5", as status.completedIndexes spells them) and which still
// need a pod.
import type { Pod } from "../api/types.ts";

export const completionIndexAnnotation = "batch.kubernetes.io/job-completion-index";

/** The pod's completion index, or undefined when it has none (or a malformed one). */
export function indexOf(pod: Pod): number | undefined {
  const raw = pod.metadata.annotations?.[completionIndexAnnotation] ?? pod.metadata.labels?.[completionIndexAnnotation];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? "").split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to; i++) out.add(i);
  }
  return out;
}

export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(",");
}

/** Indexes below `completions` that are neither done nor held by a pod, lowest first. */
export function pendingIndexes(completions: number, done: Set<number>, held: Set<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions; i++) if (!done.has(i) && !held.has(i)) out.push(i);
  return out;
}
