// YAML/JSON in and out: manifests (multi-document YAML, JSON, List kinds) to
// objects, and objects to block YAML like kubectl prints. Bun.YAML does the
// parsing and printing.
import { ApiError } from "./errors.ts";
import { isObject } from "./validation.ts";
import type { KubeObject } from "./types.ts";

/**
 * Block YAML as kubectl prints it, ending in a newline: lists not indented
 * under their key, multi-line strings as `|` blocks. Scalars are quoted by
 * Bun.YAML, so "yes", "123" or "a: b" stay strings.
 */
export function toYaml(value: unknown): string {
  if (!isCollection(value) || isEmpty(value)) return `${scalar(value)}\n`;
  return emit(value, 0).join("\n") + "\n";
}

function isCollection(v: unknown): v is unknown[] | Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function isEmpty(v: unknown[] | Record<string, unknown>): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(definedEntries(v)).length === 0;
}

function definedEntries(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && typeof v !== "function") out[k] = v;
  return out;
}

function scalar(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (isCollection(v)) return Array.isArray(v) ? "[]" : "{}";
  if (typeof v === "number" && !Number.isFinite(v)) return "null";
  return Bun.YAML.stringify(v).trimEnd();
}

/** A multi-line string that reads back exactly from a literal block. */
function blockable(s: string): boolean {
  return s.includes("\n") && !/[\r\t\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(s) && !/^[ \n]/.test(s) && !/(^|\n) +(\n|$)/.test(s);
}

/** `|`, `|-` or `|+` by how the string ends, then its lines indented. */
function block(s: string, indent: number): string[] {
  const trailing = /\n*$/.exec(s)?.[0].length ?? 0;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 0 ? s : s.slice(0, -1);
  const pad = " ".repeat(indent);
  return [`|${chomp}`, ...body.split("\n").map((line) => (line ? pad + line : ""))];
}

/** Lines for a non-empty collection at `indent`. */
function emit(value: unknown[] | Record<string, unknown>, indent: number): string[] {
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const v = item === undefined ? null : item;
      if (isCollection(v) && !isEmpty(v)) {
        // "- " then the first line of the nested block on the same line.
        const nested = emit(v, indent + 2);
        lines.push(`${pad}- ${nested[0].slice(indent + 2)}`, ...nested.slice(1));
      } else if (typeof v === "string" && blockable(v)) {
        const [head, ...rest] = block(v, indent + 2);
        lines.push(`${pad}- ${head}`, ...rest);
      } else {
        lines.push(`${pad}- ${scalar(v)}`);
      }
    }
    return lines;
  }
  for (const [key, v] of Object.entries(definedEntries(value))) {
    const k = `${pad}${scalar(key)}:`;
    if (isCollection(v) && !isEmpty(v)) {
      // Lists sit at their key's indentation, as kubectl prints them.
      lines.push(k, ...emit(v, Array.isArray(v) ? indent : indent + 2));
    } else if (typeof v === "string" && blockable(v)) {
      const [head, ...rest] = block(v, indent + 2);
      lines.push(`${k} ${head}`, ...rest);
    } else {
      lines.push(`${k} ${scalar(v)}`);
    }
  }
  return lines;
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
