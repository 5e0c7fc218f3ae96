// Patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a pragmatic
// strategic merge patch (lists of named things merge by key, like kubectl).
// All are pure: they return a new value and never modify their inputs.
import { ApiError } from "./errors.ts";
import { isObject, jsonEqual } from "./validation.ts";


function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

// ---- RFC 7386 ------------------------------------------------------------------

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---- RFC 6902 ------------------------------------------------------------------

export interface JsonPatchOp {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

function patchError(msg: string, index: number): ApiError {
  return new ApiError(422, "Invalid", `the JSON patch could not be applied: operation ${index}: ${msg}`);
}

/** "/a/b~1c/0" → ["a", "b/c", "0"]. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw ApiError.badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with '/'`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(token: string, length: number, forInsert: boolean, index: number): number {
  if (forInsert && token === "-") return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw patchError(`invalid array index ${JSON.stringify(token)}`, index);
  const i = Number(token);
  if (i > length || (!forInsert && i >= length)) throw patchError(`array index ${i} out of bounds`, index);
  return i;
}

/** The container holding the last token of `tokens` in `doc` (which must exist). */
function parentOf(doc: unknown, tokens: string[], index: number, path: string): unknown {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, index)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw patchError(`path ${JSON.stringify(path)} does not exist`, index);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw patchError(`path ${JSON.stringify(path)} does not exist`, index);
  return cur;
}

function getAt(doc: unknown, path: string, index: number): unknown {
  let cur = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, index)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw patchError(`path ${JSON.stringify(path)} does not exist`, index);
  }
  return cur;
}

function addAt(doc: unknown, path: string, value: unknown, index: number): unknown {
  const tokens = parsePointer(path);
  if (!tokens.length) return value;
  const parent = parentOf(doc, tokens, index, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, index), 0, value);
  else (parent as Record<string, unknown>)[last] = value;
  return doc;
}

function removeAt(doc: unknown, path: string, index: number): unknown {
  const tokens = parsePointer(path);
  if (!tokens.length) throw patchError("cannot remove the whole document", index);
  const parent = parentOf(doc, tokens, index, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, index), 1);
  else {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) throw patchError(`path ${JSON.stringify(path)} does not exist`, index);
    delete (parent as Record<string, unknown>)[last];
  }
  return doc;
}

/** RFC 6902. Throws ApiError 400 on a malformed patch, 422 when an operation cannot apply. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw ApiError.badRequest("a JSON patch must be an array of operations");
  let doc = clone(target);
  ops.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw ApiError.badRequest(`JSON patch operation ${i} must be an object with string "op" and "path"`);
    }
    const op = raw as unknown as JsonPatchOp;
    const needsValue = op.op === "add" || op.op === "replace" || op.op === "test";
    if (needsValue && !("value" in raw)) throw ApiError.badRequest(`JSON patch operation ${i} (${op.op}) is missing "value"`);
    const needsFrom = op.op === "move" || op.op === "copy";
    if (needsFrom && typeof op.from !== "string") throw ApiError.badRequest(`JSON patch operation ${i} (${op.op}) is missing "from"`);
    switch (op.op) {
      case "add":
        doc = addAt(doc, op.path, clone(op.value), i);
        break;
      case "remove":
        doc = removeAt(doc, op.path, i);
        break;
      case "replace":
        getAt(doc, op.path, i);
        if (parsePointer(op.path).length === 0) doc = clone(op.value);
        else doc = addAt(removeAt(doc, op.path, i), op.path, clone(op.value), i);
        break;
      case "move": {
        const from = op.from as string;
        if (op.path.startsWith(from + "/")) throw patchError(`cannot move ${JSON.stringify(from)} into its own child ${JSON.stringify(op.path)}`, i);
        const value = getAt(doc, from, i);
        doc = addAt(removeAt(doc, from, i), op.path, value, i);
        break;
      }
      case "copy":
        doc = addAt(doc, op.path, clone(getAt(doc, op.from as string, i)), i);
        break;
      case "test":
        if (!jsonEqual(getAt(doc, op.path, i), op.value)) throw patchError(`test failed: value at ${JSON.stringify(op.path)} is not ${JSON.stringify(op.value)}`, i);
        break;
      default:
        throw ApiError.badRequest(`JSON patch operation ${i}: unknown op ${JSON.stringify((raw as { op: string }).op)}`);
    }
  });
  return doc;
}

// ---- strategic merge patch (pragmatic) ----------------------------------------------

/**
 * The merge key of a list field, by field name, as Kubernetes' strategic merge
 * patch declares them for the kinds skiff serves. Lists not named here are
 * replaced wholesale (merge-patch semantics).
 */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  env: "name",
  ports: "containerPort",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  topologySpreadConstraints: "topologyKey",
  addresses: "type",
  taints: "key",
  tolerations: "key",
};

/** Service ports merge by port number; container ports by containerPort. */
function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === "ports" && items.some((x) => isObject(x) && "port" in x && !("containerPort" in x))) return "port";
  return mergeKeys[field];
}

/** Primitive lists that merge as sets rather than being replaced. */
const setLists = new Set(["finalizers"]);

/**
 * Strategic merge patch, the pragmatic subset kubectl relies on: objects merge
 * recursively; lists of objects with a known merge key merge element by element
 * (an element `{"$patch": "delete", name: x}` removes x; `$patch: replace` on a
 * list or object replaces it); `$retainKeys` and `$deleteFromPrimitiveList/<f>`
 * directives are honoured; everything else behaves like a merge patch.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  return smp(target, patch, "");
}

function smp(target: unknown, patch: unknown, field: string): unknown {
  if (Array.isArray(patch)) return mergeList(Array.isArray(target) ? target : [], patch, field);
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === "delete") return undefined;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$retainKeys" || key === "$patch") continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const f = key.slice("$deleteFromPrimitiveList/".length);
      const drop = new Set(Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : []);
      if (Array.isArray(result[f])) result[f] = (result[f] as unknown[]).filter((v) => !drop.has(JSON.stringify(v)));
      continue;
    }
    if (key.startsWith("$setElementOrder/")) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = smp(result[key], value, key);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  if (retain) for (const key of Object.keys(result)) if (!retain.has(key)) delete result[key];
  return result;
}

function mergeList(target: unknown[], patch: unknown[], field: string): unknown[] {
  const directive = patch.find((x) => isObject(x) && x.$patch === "replace" && Object.keys(x).length === 1);
  if (directive) return clone(patch.filter((x) => x !== directive));
  if (setLists.has(field) && patch.every((x) => !isObject(x))) {
    const out = [...target];
    for (const v of patch) if (!out.some((t) => jsonEqual(t, v))) out.push(clone(v));
    return out;
  }
  const key = mergeKeyFor(field, [...target, ...patch]);
  if (!key || !patch.every(isObject)) return clone(patch);
  const out: unknown[] = target.map((x) => clone(x));
  for (const item of patch as Record<string, unknown>[]) {
    const i = out.findIndex((t) => isObject(t) && jsonEqual(t[key], item[key]));
    if (item.$patch === "delete") {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = smp(out[i], item, "");
    else out.push(smp(undefined, item, ""));
  }
  return out;
}

