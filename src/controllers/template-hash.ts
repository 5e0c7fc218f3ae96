// A stable, short hash of a pod template: the pod-template-hash label of a
// Deployment's ReplicaSets and the revision label of a DaemonSet's pods. Same
// template, same hash, on every run and every server.
import type { PodTemplateSpec } from "../api/types.ts";

/** JSON with object keys sorted, so equal values serialize identically. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// Kubernetes' SafeEncodeString alphabet: no vowels (no accidental words), no look-alikes.
const alphabet = "bcdfghjklmnpqrstvwxz2456789";

function safeEncode(n: number): string {
  const digits = n.toString(10);
  let out = "";
  for (const ch of digits) out += alphabet[ch.charCodeAt(0) % alphabet.length];
  return out;
}

export const podTemplateHashLabel = "pod-template-hash";

/** The template without the hash label itself, so an RS's template hashes like its Deployment's. */
export function templateWithoutHash(template: PodTemplateSpec, label = podTemplateHashLabel): PodTemplateSpec {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[label];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  if (copy.metadata && Object.keys(copy.metadata).length === 0) delete copy.metadata;
  return copy;
}

export function computeTemplateHash(template: PodTemplateSpec, collisionCount = 0): string {
  const text = canonicalJson(templateWithoutHash(template)) + (collisionCount ? `#${collisionCount}` : "");
  return safeEncode(fnv32a(text)).slice(0, 10);
}

export function templatesEqual(a: PodTemplateSpec, b: PodTemplateSpec, label = podTemplateHashLabel): boolean {
  return canonicalJson(templateWithoutHash(a, label)) === canonicalJson(templateWithoutHash(b, label));
}
