import { describe, expect, test } from "bun:test";
import { parseRequestInfo } from "../../src/server/request-info.ts";

const q = (s = "") => new URLSearchParams(s);

describe("parseRequestInfo", () => {
  test("namespaced object, collection and subresource", () => {
    const get = parseRequestInfo("GET", "/api/v1/namespaces/default/pods/web", q())!;
    expect([get.verb, get.rt.plural, get.namespace, get.name, get.subresource]).toEqual(["get", "pods", "default", "web", undefined]);
    const list = parseRequestInfo("GET", "/api/v1/namespaces/default/pods", q())!;
    expect([list.verb, list.name]).toEqual(["list", undefined]);
    const status = parseRequestInfo("PUT", "/api/v1/namespaces/default/pods/web/status", q())!;
    expect([status.verb, status.subresource]).toEqual(["update", "status"]);
    const scale = parseRequestInfo("PATCH", "/apis/apps/v1/namespaces/ns1/deployments/d/scale", q())!;
    expect([scale.verb, scale.rt.kind, scale.subresource]).toEqual(["patch", "Deployment", "scale"]);
  });

  test("all namespaces and cluster-scoped kinds", () => {
    expect(parseRequestInfo("GET", "/api/v1/pods", q())!.namespace).toBeUndefined();
    const ns = parseRequestInfo("GET", "/api/v1/namespaces/kube-system", q())!;
    expect([ns.rt.kind, ns.name]).toEqual(["Namespace", "kube-system"]);
    const nsStatus = parseRequestInfo("PUT", "/api/v1/namespaces/x/status", q())!;
    expect([nsStatus.rt.kind, nsStatus.name, nsStatus.subresource]).toEqual(["Namespace", "x", "status"]);
    const fin = parseRequestInfo("PUT", "/api/v1/namespaces/x/finalize", q())!;
    expect(fin.subresource).toBe("finalize");
    const node = parseRequestInfo("PATCH", "/api/v1/nodes/n1/status", q())!;
    expect([node.rt.kind, node.name, node.subresource]).toEqual(["Node", "n1", "status"]);
  });

  test("verbs from method, name and watch", () => {
    expect(parseRequestInfo("GET", "/api/v1/pods", q("watch=true"))!.verb).toBe("watch");
    expect(parseRequestInfo("GET", "/api/v1/watch/namespaces/a/pods", q())!.verb).toBe("watch");
    expect(parseRequestInfo("POST", "/api/v1/namespaces/a/pods", q())!.verb).toBe("create");
    expect(parseRequestInfo("DELETE", "/api/v1/namespaces/a/pods", q())!.verb).toBe("deletecollection");
    expect(parseRequestInfo("DELETE", "/api/v1/namespaces/a/pods/p", q())!.verb).toBe("delete");
  });

  test("unknown resources, wrong groups and bad shapes are 404", () => {
    for (const path of ["/api/v1/widgets", "/apis/apps/v1/pods", "/api/v1/namespaces/a/pods/p/unknown", "/api/v1/pods/p", "/api/v1/namespaces/a/pods/p/status/extra", "/apis/apps/v2/deployments"]) {
      expect(() => parseRequestInfo("GET", path, q())).toThrow();
    }
    expect(parseRequestInfo("GET", "/api/v1", q())).toBeUndefined();
    expect(parseRequestInfo("GET", "/apis/apps/v1", q())).toBeUndefined();
  });

  test("unsupported methods are 405", () => {
    try {
      parseRequestInfo("OPTIONS", "/api/v1/pods", q());
      throw new Error("no error");
    } catch (err) {
      expect((err as { code: number }).code).toBe(405);
    }
  });
});
