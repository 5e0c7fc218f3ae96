// The generic REST handlers: one set for every kind in the registry, driven by
// its ResourceType entry (no per-kind routes). Order of work per request:
// parse → authorize → admit → write, so bad input never reaches the store.
import { ApiError, isApiError } from "../api/errors.ts";
import { validateBinding } from "../api/kinds/pod-admission.ts";
import { jsonPatch, mergePatch, strategicMergePatch } from "../api/patch.ts";
import { keyFor, Namespaces, prefixFor } from "../api/registry.ts";
import { apiVersionOf, qualifiedResource, type ResourceType } from "../api/resource-type.ts";
import { fieldsMatch, labelSelectorQuery, matches, parseFieldSelector, parseLabelSelector } from "../api/selectors.ts";
import type { Binding, KubeList, KubeObject, LabelSelector, Namespace, Pod, ReplicationController, Scale } from "../api/types.ts";
import { isObject } from "../api/validation.ts";
import type { Store } from "../store/store.ts";
import { admitCreate, admitUpdate, checkKind, checkName, readyToRemove, reconcileNamespace, type UpdateMode } from "./admission.ts";
import { authorize, type Identity } from "./auth.ts";
import { readBody, requireObjectBody, type Body } from "./body.ts";
import { checkPreconditions, deleteOptions, planDelete } from "./deletion.ts";
import type { RequestInfo } from "./request-info.ts";
import type { ServiceAllocator } from "./service-alloc.ts";
import { encode, successStatus } from "./status.ts";
import { includeObjectParam, toTable, wantsTable } from "./table.ts";
import { parseResourceVersion, watchResponse } from "./watch.ts";

export interface RestContext {
  store: Store;
  bookmarkIntervalMs: number;
  /** pods/log: stream a container's log from its node. */
  podLogs: (pod: Pod, query: URLSearchParams, signal: AbortSignal) => Promise<Response>;
  watchOpened: () => void;
  watchClosed: () => void;
  /** A live watch event reached a watcher's response, this many ms after its commit. */
  watchDelivered?: (sinceCommitMs: number) => void;
  /** ClusterIPs and NodePorts for Services, applied right before the write. */
  services: ServiceAllocator;
}

interface Call {
  req: Request;
  info: RequestInfo;
  rt: ResourceType;
  query: URLSearchParams;
  accept: string | null;
  identity: Identity;
  ctx: RestContext;
  dryRun: boolean;
}

const conflictRetries = 5;

export async function handleResource(req: Request, info: RequestInfo, identity: Identity, ctx: RestContext): Promise<Response> {
  const query = new URL(req.url).searchParams;
  const call: Call = { req, info, rt: info.rt, query, accept: req.headers.get("accept"), identity, ctx, dryRun: query.getAll("dryRun").includes("All") };
  switch (info.subresource) {
    case undefined:
      return mainResource(call);
    case "status":
      return objectSubresource(call, "status");
    case "finalize":
      return objectSubresource(call, "finalize");
    case "scale":
      return scaleSubresource(call);
    case "binding":
      return binding(call);
    case "log":
      return podLog(call);
    default:
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
  }
}

// ---- helpers -----------------------------------------------------------------------

function keyOf(call: Call, name = call.info.name!): string {
  return keyFor(call.rt, call.info.namespace, name);
}

async function getOrNotFound(call: Call, name = call.info.name!): Promise<KubeObject> {
  const obj = await call.ctx.store.get(keyOf(call, name));
  if (!obj) throw ApiError.notFound(qualifiedResource(call.rt), name);
  return obj;
}

/** Authorize, first loading what a node's permission depends on (the pod's node). */
async function authorizeCall(call: Call, verb = call.info.verb, name = call.info.name): Promise<void> {
  let boundNode: string | undefined;
  if (call.identity.nodeName !== undefined && call.rt.plural === "pods" && call.rt.group === "" && name && verb !== "get") {
    boundNode = ((await call.ctx.store.get(keyOf(call, name))) as Pod | undefined)?.spec?.nodeName;
  }
  authorize(call.identity, { verb, rt: call.rt, namespace: call.info.namespace, name, subresource: call.info.subresource, boundNode });
}

function reply(call: Call, body: unknown, code = 200): Response {
  return encode(body, code, call.accept);
}

/** One object, as a one-row Table when kubectl asks for one (`kubectl get ns default`). */
function replyObject(call: Call, obj: KubeObject): Response {
  if (!wantsTable(call.accept)) return reply(call, obj);
  return reply(call, toTable(call.rt, [obj], Date.now(), includeObjectParam(call.query.get("includeObject")), { resourceVersion: obj.metadata.resourceVersion }));
}

/** Namespaces the cluster cannot do without, protected like Kubernetes' NamespaceLifecycle admission. */
const undeletableNamespaces = new Set(["default", "kube-system", "kube-public"]);

function parseLimit(v: string | null): number | undefined {
  if (v === null || v === "") return undefined;
  if (!/^\d+$/.test(v)) throw ApiError.badRequest(`invalid limit ${JSON.stringify(v)}: must be a non-negative integer`);
  return Number(v);
}

interface ContinueToken {
  rv: number;
  key: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString("base64url");
}

export function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as ContinueToken;
    if (typeof t.rv === "number" && typeof t.key === "string") return t;
  } catch {
    // fall through
  }
  throw ApiError.badRequest(`invalid continue token ${JSON.stringify(s)}`);
}

/** The selector (labels, fields, and a name for single-object watches) as one predicate. */
function selectorOf(call: Call): (obj: KubeObject) => boolean {
  const labels = parseLabelSelector(call.query.get("labelSelector") ?? "");
  const fields = parseFieldSelector(call.query.get("fieldSelector") ?? "", call.rt);
  const name = call.info.name;
  return (obj) => (name === undefined || obj.metadata.name === name) && matches(labels, obj.metadata.labels) && fieldsMatch(fields, obj);
}

async function requireActiveNamespace(call: Call, namespace: string, name: string): Promise<void> {
  const ns = (await call.ctx.store.get(keyFor(Namespaces, undefined, namespace))) as Namespace | undefined;
  if (!ns) throw ApiError.notFound("namespaces", namespace);
  if (ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating") {
    const message = `${qualifiedResource(call.rt)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`;
    // The cause lets controllers tell this apart from other refusals, as in Kubernetes.
    throw new ApiError(403, "Forbidden", message, { causes: [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }] });
  }
}

function expectedRevision(obj: KubeObject): number | undefined {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined || rv === "") return undefined;
  const n = parseResourceVersion(rv);
  if (n === undefined) throw ApiError.badRequest(`invalid metadata.resourceVersion ${JSON.stringify(rv)}`);
  return n;
}

/** Write an admitted update; an object whose last finalizer just went is then removed. */
async function writeUpdate(call: Call, key: string, next: KubeObject, old: KubeObject, expected: number | undefined): Promise<KubeObject> {
  const stored = await call.ctx.services.admit(call.rt, next, old, (obj) => (call.dryRun ? Promise.resolve(obj) : call.ctx.store.update(key, obj, expected)));
  if (call.dryRun) return stored;
  if (!readyToRemove(stored)) return stored;
  try {
    return await call.ctx.store.delete(key, Number(stored.metadata.resourceVersion));
  } catch (err) {
    // Someone wrote it in between; their write re-checks the same condition.
    if (isApiError(err, "Conflict") || isApiError(err, "NotFound")) return stored;
    throw err;
  }
}

// ---- the object and its collection ----------------------------------------------------

async function mainResource(call: Call): Promise<Response> {
  const { verb } = call.info;
  switch (verb) {
    case "get":
      await authorizeCall(call);
      return replyObject(call, await getOrNotFound(call));
    case "list":
      await authorizeCall(call);
      return list(call);
    case "watch":
      await authorizeCall(call);
      return watch(call);
    case "create":
      return create(call, await readBody(call.req));
    case "update":
      return update(call, await readBody(call.req), "main");
    case "patch":
      return patch(call, await readBody(call.req), "main");
    case "delete":
      return remove(call, await readBody(call.req));
    case "deletecollection":
      await authorizeCall(call);
      return removeCollection(call, await readBody(call.req));
  }
}

async function objectSubresource(call: Call, mode: UpdateMode): Promise<Response> {
  switch (call.info.verb) {
    case "get":
      if (mode === "finalize") break;
      await authorizeCall(call);
      return replyObject(call, await getOrNotFound(call));
    case "update":
      return update(call, await readBody(call.req), mode);
    case "patch":
      if (mode === "finalize") break;
      return patch(call, await readBody(call.req), mode);
    default:
      break;
  }
  throw ApiError.methodNotAllowed(call.info.verb, `${call.rt.plural}/${call.info.subresource}`);
}

async function list(call: Call): Promise<Response> {
  const { rt, query } = call;
  const filter = selectorOf(call);
  const limit = parseLimit(query.get("limit"));
  const cont = query.get("continue");
  const token = cont ? decodeContinue(cont) : undefined;
  const result = await call.ctx.store.list(prefixFor(rt, call.info.namespace), {
    filter,
    limit,
    startAfter: token?.key,
    atRevision: token?.rv,
  });
  const metadata: KubeList["metadata"] = { resourceVersion: String(result.revision) };
  if (result.continueKey) metadata.continue = encodeContinue({ rv: result.revision, key: result.continueKey });
  if (wantsTable(call.accept)) {
    return reply(call, toTable(rt, result.items, Date.now(), includeObjectParam(query.get("includeObject")), metadata));
  }
  const body: KubeList = { apiVersion: apiVersionOf(rt), kind: `${rt.kind}List`, metadata, items: result.items };
  return reply(call, body);
}

async function watch(call: Call): Promise<Response> {
  const { rt, query, ctx } = call;
  const timeout = query.get("timeoutSeconds");
  const timeoutSeconds = timeout === null ? undefined : Number(timeout);
  if (timeoutSeconds !== undefined && (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)) throw ApiError.badRequest(`invalid timeoutSeconds ${JSON.stringify(timeout)}`);
  const table = wantsTable(call.accept);
  const include = includeObjectParam(query.get("includeObject"));
  ctx.watchOpened();
  try {
    return await watchResponse({
      store: ctx.store,
      prefix: prefixFor(rt, call.info.namespace),
      matches: selectorOf(call),
      resourceVersion: query.get("resourceVersion") ?? undefined,
      timeoutSeconds,
      bookmarks: query.get("allowWatchBookmarks") === "true",
      bookmarkIntervalMs: ctx.bookmarkIntervalMs,
      apiVersion: apiVersionOf(rt),
      kind: rt.kind,
      transform: table ? (obj) => toTable(rt, [obj], Date.now(), include) : undefined,
      signal: call.req.signal,
      onClose: ctx.watchClosed,
      onDelivered: ctx.watchDelivered,
    });
  } catch (err) {
    ctx.watchClosed();
    throw err;
  }
}

async function create(call: Call, body: Body | undefined): Promise<Response> {
  const { rt, info } = call;
  if (info.name !== undefined) throw ApiError.methodNotAllowed("create", `${rt.plural} by name (POST to the collection)`);
  const obj = checkKind(rt, requireObjectBody(body));
  reconcileNamespace(rt, obj, info.namespace);
  const namespace = rt.namespaced ? obj.metadata.namespace : undefined;
  const callOn: Call = { ...call, info: { ...info, namespace } };
  await authorizeCall(callOn, "create", obj.metadata.name);
  if (namespace) await requireActiveNamespace(call, namespace, obj.metadata.name ?? obj.metadata.generateName ?? "");
  return reply(call, await createAdmitted(callOn, obj), 201);
}

async function createAdmitted(call: Call, obj: KubeObject): Promise<KubeObject> {
  const generated = !obj.metadata.name && !!obj.metadata.generateName;
  for (let attempt = 0; ; attempt++) {
    // Admission changes the object it is given; only a generated name can need a second attempt from the original.
    const candidate = admitCreate(call.rt, generated ? structuredClone(obj) : obj, { uid: crypto.randomUUID(), now: new Date() });
    const key = keyFor(call.rt, candidate.metadata.namespace, candidate.metadata.name!);
    try {
      return await call.ctx.services.admit(call.rt, candidate, undefined, (o) => (call.dryRun ? Promise.resolve(o) : call.ctx.store.create(key, o)));
    } catch (err) {
      if (!(generated && isApiError(err, "AlreadyExists") && attempt < 8)) throw err;
    }
  }
}

async function update(call: Call, body: Body | undefined, mode: UpdateMode): Promise<Response> {
  const { rt, info } = call;
  const obj = checkKind(rt, requireObjectBody(body));
  checkName(obj, info.name!);
  reconcileNamespace(rt, obj, info.namespace);
  await authorizeCall(call);
  const key = keyOf(call);
  const expected = expectedRevision(obj);
  // Without a resourceVersion the update is unconditional: a concurrent write is retried over.
  for (let attempt = 0; ; attempt++) {
    const old = await getOrNotFound(call);
    if (expected !== undefined && String(expected) !== old.metadata.resourceVersion) throw ApiError.conflict(qualifiedResource(rt), info.name!);
    const next = admitUpdate(rt, structuredClone(obj), old, mode);
    try {
      return reply(call, await writeUpdate(call, key, next, old, Number(old.metadata.resourceVersion)));
    } catch (err) {
      if (!isApiError(err, "Conflict") || expected !== undefined || attempt >= conflictRetries) throw err;
    }
  }
}

function applyPatch(format: Body["format"], target: KubeObject, patchBody: unknown): unknown {
  switch (format) {
    case "merge-patch":
    case "apply-patch":
      if (!isObject(patchBody)) throw ApiError.badRequest("a merge patch must be a JSON object");
      return mergePatch(target, patchBody);
    case "strategic-merge-patch":
      if (!isObject(patchBody)) throw ApiError.badRequest("a strategic merge patch must be a JSON object");
      return strategicMergePatch(target, patchBody);
    case "json-patch":
      if (!Array.isArray(patchBody)) throw ApiError.badRequest("a JSON patch must be a JSON array of operations");
      return jsonPatch(target, patchBody);
    default:
      throw new ApiError(415, "UnsupportedMediaType", `the body of a PATCH must be application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json or application/apply-patch+yaml`);
  }
}

/**
 * Patch = read, apply, admit, compare-and-swap; a conflict with a concurrent
 * writer is retried internally, unless the patch itself named a
 * resourceVersion (then the conflict is the caller's).
 */
async function patch(call: Call, body: Body | undefined, mode: UpdateMode): Promise<Response> {
  const { rt, info } = call;
  if (!body) throw ApiError.badRequest("the request has no patch body");
  await authorizeCall(call);
  const key = keyOf(call);
  for (let attempt = 0; ; attempt++) {
    const old = await call.ctx.store.get(key);
    if (!old) {
      // Server-side apply creates what is not there yet.
      if (body.format === "apply-patch" && mode === "main") return applyCreate(call, body);
      throw ApiError.notFound(qualifiedResource(rt), info.name!);
    }
    const patched = applyPatch(body.format, structuredClone(old), body.value);
    if (!isObject(patched)) throw ApiError.badRequest("the patched object is not an object");
    const obj = checkKind(rt, patched);
    checkName(obj, info.name!);
    reconcileNamespace(rt, obj, info.namespace);
    const oldRv = Number(old.metadata.resourceVersion);
    const named = expectedRevision(obj);
    const callerPrecondition = named !== undefined && named !== oldRv;
    if (callerPrecondition) throw ApiError.conflict(qualifiedResource(rt), info.name!);
    const next = admitUpdate(rt, obj, old, mode);
    try {
      return reply(call, await writeUpdate(call, key, next, old, oldRv));
    } catch (err) {
      if (!isApiError(err, "Conflict") || attempt >= conflictRetries) throw err;
    }
  }
}

async function applyCreate(call: Call, body: Body): Promise<Response> {
  if (!isObject(body.value)) throw ApiError.badRequest("an apply patch must be an object");
  const obj = checkKind(call.rt, body.value);
  checkName(obj, call.info.name!);
  reconcileNamespace(call.rt, obj, call.info.namespace);
  await authorizeCall(call, "create");
  if (call.rt.namespaced) await requireActiveNamespace(call, obj.metadata.namespace!, obj.metadata.name!);
  return reply(call, await createAdmitted(call, obj), 201);
}

async function remove(call: Call, body: Body | undefined): Promise<Response> {
  const opts = deleteOptions(body?.value, call.query);
  await authorizeCall(call);
  if (call.rt.kind === "Namespace" && undeletableNamespaces.has(call.info.name!)) {
    throw ApiError.forbidden(`namespaces "${call.info.name}" is forbidden: this namespace may not be deleted`);
  }
  const key = keyOf(call);
  for (let attempt = 0; ; attempt++) {
    const obj = await getOrNotFound(call);
    checkPreconditions(obj, qualifiedResource(call.rt), opts);
    const plan = planDelete(obj, opts, Date.now());
    const rv = Number(obj.metadata.resourceVersion);
    try {
      if (plan.action === "unchanged") return reply(call, obj);
      if (call.dryRun) return reply(call, plan.action === "mark" ? plan.obj : obj);
      if (plan.action === "mark") return reply(call, await call.ctx.store.update(key, plan.obj, rv), 200);
      return reply(call, await call.ctx.store.delete(key, rv));
    } catch (err) {
      if (!isApiError(err, "Conflict") || attempt >= conflictRetries) throw err;
    }
  }
}

async function removeCollection(call: Call, body: Body | undefined): Promise<Response> {
  const opts = deleteOptions(body?.value, call.query);
  const { items } = await call.ctx.store.list(prefixFor(call.rt, call.info.namespace), { filter: selectorOf(call) });
  const done: KubeObject[] = [];
  for (const obj of items) {
    const plan = planDelete(obj, opts, Date.now());
    if (plan.action === "unchanged" || call.dryRun) continue;
    const key = keyFor(call.rt, obj.metadata.namespace, obj.metadata.name!);
    try {
      const rv = Number(obj.metadata.resourceVersion);
      done.push(plan.action === "mark" ? await call.ctx.store.update(key, plan.obj, rv) : await call.ctx.store.delete(key, rv));
    } catch (err) {
      // Changed or gone since the list: skip it, as Kubernetes does for races in deletecollection.
      if (!isApiError(err, "Conflict") && !isApiError(err, "NotFound")) throw err;
    }
  }
  const revision = call.ctx.store.currentRevision();
  return reply(call, { apiVersion: apiVersionOf(call.rt), kind: `${call.rt.kind}List`, metadata: { resourceVersion: String(revision) }, items: done });
}

// ---- scale -------------------------------------------------------------------------------

interface Scalable extends KubeObject {
  spec: { replicas?: number; selector?: unknown };
  status?: { replicas?: number };
}

function scaleSelector(obj: Scalable): string {
  const sel = obj.spec?.selector;
  if (!sel) return "";
  if (obj.kind === "ReplicationController") return labelSelectorQuery({ matchLabels: (obj as ReplicationController).spec.selector });
  try {
    return labelSelectorQuery(sel as LabelSelector);
  } catch {
    // An unparsable selector (rejected by validation on write) shows as none.
    return "";
  }
}

export function scaleOf(obj: Scalable): Scale {
  const m = obj.metadata;
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 1 },
    status: { replicas: obj.status?.replicas ?? 0, selector: scaleSelector(obj) },
  };
}

async function scaleSubresource(call: Call): Promise<Response> {
  const { info, rt } = call;
  await authorizeCall(call);
  if (info.verb === "get") return reply(call, scaleOf((await getOrNotFound(call)) as Scalable));
  if (info.verb !== "update" && info.verb !== "patch") throw ApiError.methodNotAllowed(info.verb, `${rt.plural}/scale`);
  const body = await readBody(call.req);
  if (!body) throw ApiError.badRequest("the request has no body; expected a Scale");
  const key = keyOf(call);
  for (let attempt = 0; ; attempt++) {
    const old = (await getOrNotFound(call)) as Scalable;
    const current = scaleOf(old);
    const wanted = info.verb === "update" ? requireObjectBody(body, "Scale") : applyPatch(body.format, structuredClone(current), body.value);
    if (!isObject(wanted)) throw ApiError.badRequest("a Scale must be an object");
    const scale = wanted as unknown as Scale;
    if (scale.kind !== undefined && scale.kind !== "Scale") throw ApiError.badRequest(`expected kind Scale, got ${String(scale.kind)}`);
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw ApiError.invalid("Scale", info.name!, [{ field: "spec.replicas", reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be a non-negative integer` }]);
    }
    const named = scale.metadata?.resourceVersion ? expectedRevision(scale) : undefined;
    const oldRv = Number(old.metadata.resourceVersion);
    if (named !== undefined && named !== oldRv) throw ApiError.conflict(qualifiedResource(rt), info.name!);
    const next = admitUpdate(rt, { ...structuredClone(old), spec: { ...old.spec, replicas } }, old, "main");
    try {
      return reply(call, scaleOf((await writeUpdate(call, key, next, old, oldRv)) as Scalable));
    } catch (err) {
      if (!isApiError(err, "Conflict") || named !== undefined || attempt >= conflictRetries) throw err;
    }
  }
}

// ---- pods/binding and pods/log ------------------------------------------------------------

async function binding(call: Call): Promise<Response> {
  const { info } = call;
  if (info.verb !== "create") throw ApiError.methodNotAllowed(info.verb, "pods/binding");
  await authorizeCall(call);
  const body = requireObjectBody(await readBody(call.req), "Binding") as unknown as Binding;
  const causes = validateBinding(body);
  if (causes.length > 0) throw ApiError.invalid("Binding", info.name!, causes);
  const target = body.target.name;
  if (body.metadata?.name && body.metadata.name !== info.name) throw ApiError.badRequest(`the name of the binding (${body.metadata.name}) does not match the pod (${info.name})`);
  const key = keyOf(call);
  for (let attempt = 0; ; attempt++) {
    const pod = (await getOrNotFound(call)) as Pod;
    const reject = (why: string) => ApiError.conflict("pods/binding", info.name!, why);
    if (pod.spec.nodeName) throw reject(`pod ${info.name} is already assigned to node "${pod.spec.nodeName}"`);
    if (pod.metadata.deletionTimestamp) throw reject(`pod ${info.name} is being deleted, cannot be assigned to a host`);
    const uid = body.metadata?.uid;
    if (uid && uid !== pod.metadata.uid) throw reject(`Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    const next: Pod = structuredClone(pod);
    next.spec.nodeName = target;
    try {
      if (!call.dryRun) await call.ctx.store.update(key, next, Number(pod.metadata.resourceVersion));
      return reply(call, { ...successStatus(), code: 201 }, 201);
    } catch (err) {
      if (!isApiError(err, "Conflict") || attempt >= conflictRetries) throw err;
    }
  }
}

async function podLog(call: Call): Promise<Response> {
  if (call.info.verb !== "get") throw ApiError.methodNotAllowed(call.info.verb, "pods/log");
  await authorizeCall(call);
  const pod = (await getOrNotFound(call)) as Pod;
  return call.ctx.podLogs(pod, call.query, call.req.signal);
}
