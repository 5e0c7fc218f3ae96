// Request bodies: JSON or YAML objects, and the patch media types. Anything
// malformed is a 400, an unknown media type a 415 — before the store is touched.
import { ApiError } from "../api/errors.ts";
import { parseYaml } from "../api/encoding.ts";
import { isObject } from "../api/validation.ts";

export type BodyFormat = "json" | "yaml" | "merge-patch" | "json-patch" | "strategic-merge-patch" | "apply-patch";

/** 3 MiB, like etcd's default request limit that Kubernetes inherits. */
export const maxBodyBytes = 3 * 1024 * 1024;

/**
 * Bun's own ceiling, which answers with a bare 413 and no Status. The app's
 * limit rejects by Content-Length before reading, so this only has to be
 * larger than any body a client would declare.
 */
export const maxUnreadBodyBytes = 1024 * 1024 * 1024;

const mediaTypes: Record<string, BodyFormat> = {
  "application/json": "json",
  "application/yaml": "yaml",
  "application/x-yaml": "yaml",
  "text/yaml": "yaml",
  "application/merge-patch+json": "merge-patch",
  "application/json-patch+json": "json-patch",
  "application/strategic-merge-patch+json": "strategic-merge-patch",
  "application/apply-patch+yaml": "apply-patch",
};

export function bodyFormat(contentType: string | null): BodyFormat | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return mediaTypes[type];
}

export interface Body {
  format: BodyFormat;
  value: unknown;
}

/** The decoded body, or undefined when there is none. */
export async function readBody(req: Request): Promise<Body | undefined> {
  const text = await req.text();
  if (text.trim() === "") return undefined;
  const contentType = req.headers.get("content-type");
  const format = bodyFormat(contentType) ?? (contentType ? undefined : "json");
  if (!format) throw ApiError.unsupportedMediaType(contentType ?? "");
  return { format, value: decode(text, format) };
}

function decode(text: string, format: BodyFormat): unknown {
  if (format === "yaml" || format === "apply-patch") {
    const value = parseYaml(text, "request body");
    if (Array.isArray(value) && format === "yaml") throw ApiError.badRequest("the request body must be one object, not a list of documents");
    return value;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw ApiError.badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A body that must be one object (create, update). */
export function requireObjectBody(body: Body | undefined, what = "object"): Record<string, unknown> {
  if (!body) throw ApiError.badRequest(`the request has no body; expected a ${what}`);
  if (body.format !== "json" && body.format !== "yaml") throw ApiError.unsupportedMediaType(body.format);
  if (!isObject(body.value)) throw ApiError.badRequest(`the request body must be a JSON or YAML object, got ${Array.isArray(body.value) ? "a list" : typeof body.value}`);
  return body.value;
}
