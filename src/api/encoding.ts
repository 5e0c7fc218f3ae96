// YAML/JSON in and out: manifests (multi-document YAML, JSON, List kinds) to
// objects, and objects to block YAML like kubectl prints. Bun.YAML does the
// parsing and printing.
import { ApiError } from "./errors.ts";
import type { KubeObject } from "./types.ts";

/** Block YAML, ending in a newline. */
export function toYaml(value: unknown): string {
  const text = Bun.YAML.stringify(value, null, 2);
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** Several objects as one multi-document YAML stream. */
export function toYamlDocuments(values: unknown[]): string {
  return values.map(toYaml).join("---\n");
}

/** Parse one YAML (or JSON) document; throws ApiError.badRequest with the position on bad syntax. */
export function parseYaml(text: string, what = "YAML"): unknown {
  try {
    return Bun.YAML.parse(text);
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    const where = typeof e.line === "number" ? ` at line ${e.line}${typeof e.column === "number" ? `, column ${e.column}` : ""}` : "";
    throw ApiError.badRequest(`error parsing ${what}${where}: ${e.message.replace(/^YAML Parse error:\s*/, "")}`);
  }
}

interface Chunk {
  text: string;
  /** 1-based line of the document's first line in the whole text. */
  line: number;
}

/** Split a YAML stream at "---" / "..." lines, keeping each document's starting line. */
function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let current: string[] = [];
  let start = 1;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const marker = /^(---|\.\.\.)(\s.*)?$/.exec(line);
    if (!marker) {
      current.push(line);
      return;
    }
    chunks.push({ text: current.join("\n"), line: start });
    current = marker[1] === "---" && marker[2]?.trim() ? [marker[2]] : [];
    start = i + (current.length ? 1 : 2);
  });
  chunks.push({ text: current.join("\n"), line: start });
  return chunks.filter((c) => c.text.split("\n").some((l) => l.trim() !== "" && !l.trimStart().startsWith("#")));
}

/**
 * Objects in a manifest: multi-document YAML, a JSON object, or a JSON array;
 * `kind: List` (and FooList) documents are flattened into their items. Empty
 * documents are skipped. Throws ApiError.badRequest naming the document at fault.
 */
export function parseManifests(text: string, source = "input"): KubeObject[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = parseYaml(text, source);
    }
    const docs = Array.isArray(value) ? value : [value];
    return docs.flatMap((d, i) => toObjects(d, `${source}: item ${i + 1}`));
  }
  const out: KubeObject[] = [];
  const chunks = splitDocuments(text);
  chunks.forEach((chunk, i) => {
    const where = chunks.length > 1 ? `${source}: document ${i + 1} (line ${chunk.line})` : source;
    const value = parseYaml(chunk.text, where);
    if (value === null || value === undefined) return;
    out.push(...toObjects(value, where));
  });
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function toObjects(value: unknown, where: string): KubeObject[] {
  if (value === null || value === undefined) return [];
  if (!isObject(value)) throw ApiError.badRequest(`${where}: expected an object with apiVersion and kind, got ${Array.isArray(value) ? "a list" : typeof value}`);
  const kind = value.kind;
  if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value.items)) {
    const itemKind = kind === "List" ? undefined : kind.slice(0, -"List".length);
    return value.items.flatMap((item, i) => {
      if (isObject(item) && itemKind) {
        item.kind ??= itemKind;
        item.apiVersion ??= value.apiVersion;
      }
      return toObjects(item, `${where}, item ${i + 1}`);
    });
  }
  if (typeof value.apiVersion !== "string" || !value.apiVersion) throw ApiError.badRequest(`${where}: apiVersion not set`);
  if (typeof kind !== "string" || !kind) throw ApiError.badRequest(`${where}: kind not set`);
  if (value.metadata === undefined || value.metadata === null) value.metadata = {};
  if (!isObject(value.metadata)) throw ApiError.badRequest(`${where}: metadata must be an object`);
  return [value as KubeObject];
}
