// Reading manifests for -f: files, directories of *.yaml/*.yml/*.json, or stdin.
// Everything is read and parsed before anything is sent, so a bad file changes nothing.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseManifests } from "../api/encoding.ts";
import { ApiError } from "../api/errors.ts";
import { mustResourceForKind } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";

export interface Manifest {
  obj: KubeObject;
  rt: ResourceType;
  /** Where it came from, for messages: "web.yaml" or "STDIN". */
  source: string;
}

const manifestFile = /\.(ya?ml|json)$/i;

/** The files a -f argument names: a file, the manifests in a directory (sorted), or "-". */
export function expandFilename(arg: string): string[] {
  if (arg === "-") return ["-"];
  let st;
  try {
    st = statSync(arg);
  } catch {
    throw ApiError.badRequest(`the path "${arg}" does not exist`);
  }
  if (!st.isDirectory()) return [arg];
  return readdirSync(arg)
    .filter((f) => manifestFile.test(f))
    .sort()
    .map((f) => join(arg, f));
}

async function readSource(path: string): Promise<string> {
  if (path === "-") return await new Response(Bun.stdin.stream()).text();
  return await Bun.file(path).text();
}

/** Parse a document's objects and check each names a served kind and has a name (or generateName). */
export function manifestsFromText(text: string, source: string): Manifest[] {
  let objs: KubeObject[];
  try {
    objs = parseManifests(text);
  } catch (err) {
    throw ApiError.badRequest(`error parsing ${source}: ${(err as Error).message}`);
  }
  return objs.map((obj, i) => {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw ApiError.badRequest(`error validating ${source}: document ${i + 1} is not an object`);
    if (!obj.kind) throw ApiError.badRequest(`error validating ${source}: document ${i + 1}: kind not set`);
    if (!obj.apiVersion) throw ApiError.badRequest(`error validating ${source}: document ${i + 1}: apiVersion not set`);
    let rt: ResourceType;
    try {
      rt = mustResourceForKind(obj.apiVersion, obj.kind);
    } catch (err) {
      throw ApiError.badRequest(`error validating ${source}: ${(err as Error).message}`);
    }
    if (!obj.metadata || typeof obj.metadata !== "object") obj.metadata = {};
    if (!obj.metadata.name && !obj.metadata.generateName) throw ApiError.badRequest(`error validating ${source}: ${obj.kind} in document ${i + 1} has no metadata.name`);
    return { obj, rt, source };
  });
}

export async function readManifests(filenames: string[]): Promise<Manifest[]> {
  const files = filenames.flatMap(expandFilename);
  const out: Manifest[] = [];
  for (const file of files) {
    const source = file === "-" ? "STDIN" : file;
    let text: string;
    try {
      text = await readSource(file);
    } catch (err) {
      throw ApiError.badRequest(`cannot read ${source}: ${(err as Error).message}`);
    }
    out.push(...manifestsFromText(text, source));
  }
  if (out.length === 0) throw ApiError.badRequest(`no objects found in ${filenames.join(", ")}`);
  return out;
}

/**
 * The namespace an object goes to: its own, else -n, else "default"; a mismatch
 * between the object and an explicit -n is an error, as in kubectl.
 */
export function targetNamespace(m: Manifest, flagNamespace: string | undefined): string | undefined {
  if (!m.rt.namespaced) return undefined;
  const own = m.obj.metadata.namespace;
  if (own && flagNamespace && own !== flagNamespace) {
    throw ApiError.badRequest(`the namespace from the provided object "${own}" does not match the namespace "${flagNamespace}". You must pass '--namespace=${own}' to perform this operation.`);
  }
  return own || flagNamespace || "default";
}
