import { describe, expect, test } from "bun:test";
import { Events, Leases, Nodes, Pods, Secrets, Deployments, Services } from "../../src/api/registry.ts";
import { adminIdentity, bearerToken, forbidden, isAllowed, nodeIdentity } from "../../src/server/auth.ts";

const n1 = nodeIdentity("n1");

describe("authorization", () => {
  test("admin may do anything", () => {
    expect(isAllowed(adminIdentity, { verb: "delete", rt: Nodes, name: "x" })).toBe(true);
    expect(isAllowed(adminIdentity, { verb: "create", rt: Pods, namespace: "a", name: "p", subresource: "binding" })).toBe(true);
  });

  test("nodes read what a kubelet reads, nothing else", () => {
    for (const rt of [Pods, Nodes, Services, Secrets, Leases, Events]) expect(isAllowed(n1, { verb: "watch", rt })).toBe(true);
    expect(isAllowed(n1, { verb: "list", rt: Deployments })).toBe(false);
    expect(isAllowed(n1, { verb: "get", rt: Pods, namespace: "a", name: "p", subresource: "log" })).toBe(false);
  });

  test("nodes write only their own Node and Lease", () => {
    expect(isAllowed(n1, { verb: "create", rt: Nodes, name: "n1" })).toBe(true);
    expect(isAllowed(n1, { verb: "patch", rt: Nodes, name: "n1", subresource: "status" })).toBe(true);
    expect(isAllowed(n1, { verb: "update", rt: Nodes, name: "n2" })).toBe(false);
    expect(isAllowed(n1, { verb: "delete", rt: Nodes, name: "n1" })).toBe(false);
    expect(isAllowed(n1, { verb: "update", rt: Leases, namespace: "kube-node-lease", name: "n1" })).toBe(true);
    expect(isAllowed(n1, { verb: "update", rt: Leases, namespace: "kube-node-lease", name: "n2" })).toBe(false);
    expect(isAllowed(n1, { verb: "create", rt: Leases, namespace: "default", name: "n1" })).toBe(false);
  });

  test("nodes write status of, and delete, only pods bound to them", () => {
    const mine = { rt: Pods, namespace: "a", name: "p", boundNode: "n1" };
    expect(isAllowed(n1, { ...mine, verb: "patch", subresource: "status" })).toBe(true);
    expect(isAllowed(n1, { ...mine, verb: "delete" })).toBe(true);
    expect(isAllowed(n1, { ...mine, verb: "update" })).toBe(false);
    expect(isAllowed(n1, { ...mine, verb: "create" })).toBe(false);
    expect(isAllowed(n1, { ...mine, boundNode: "n2", verb: "update", subresource: "status" })).toBe(false);
    expect(isAllowed(n1, { ...mine, boundNode: undefined, verb: "delete" })).toBe(false);
    expect(isAllowed(n1, { verb: "create", rt: Events, namespace: "a" })).toBe(true);
  });

  test("denials read like Kubernetes", () => {
    const err = forbidden(n1, { verb: "update", rt: Nodes, name: "n2" });
    expect(err.code).toBe(403);
    expect(err.message).toBe('nodes "n2" is forbidden: User "system:node:n1" cannot update resource "nodes" in API group "" at the cluster scope');
    expect(forbidden(n1, { verb: "list", rt: Deployments, namespace: "a" }).message).toContain('deployments.apps is forbidden: User "system:node:n1" cannot list resource "deployments" in API group "apps" in the namespace "a"');
  });

  test("bearer tokens", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
  });
});
