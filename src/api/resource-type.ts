// What the registry knows about one kind. Adding a kind to skiff is adding one
// ResourceType entry to the registry (src/api/registry.ts): routes, discovery,
// validation, watch, the CLI's tables and the clients all read these entries.
import type { KubeObject, StatusCause } from "./types.ts";

export type Subresource = "status" | "scale" | "binding" | "log";

export interface Column<T extends KubeObject = KubeObject> {
  /** Header as kubectl prints it: "NAME", "READY", "AGE". */
  name: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority?: 0 | 1;
  value(obj: T, now: number): string;
}

// Method syntax (not arrow properties) on purpose: methods are bivariant in
// their parameters, so a ResourceType<Pod> is usable wherever a plain
// ResourceType is expected (the registry array, keyFor, the clients).
export type FieldGetter<T extends KubeObject = KubeObject> = { get(obj: T): string | undefined }["get"];

export interface ResourceType<T extends KubeObject = KubeObject> {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural used in paths: "pods". */
  plural: string;
  /** Lower-case singular: "pod". */
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  subresources: Subresource[];
  /** True when `.status` is owned by the status subresource (spec writes keep the old status and vice versa). */
  statusSubresource: boolean;
  /** Fill in defaults in place, as the Kubernetes API server does on create and update. */
  defaults?(obj: T): void;
  /** Field errors, with paths like "spec.containers[0].name". `old` is given on update (immutable fields). */
  validate?(obj: T, old?: T): StatusCause[];
  /** Fields besides metadata.name/namespace that `fieldSelector` accepts, with how to read them. */
  selectableFields?: Record<string, FieldGetter<T>>;
  /** Table columns after NAME (and NAMESPACE with -A). */
  columns: Column<T>[];
}

/** "apps/v1" or "v1". */
export function apiVersionOf(rt: Pick<ResourceType, "group" | "version">): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** "deployments.apps" or "pods": how Kubernetes names a resource in messages. */
export function qualifiedResource(rt: Pick<ResourceType, "group" | "plural">): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}
