import { describe, expect, test } from "bun:test";
import { Deployments, Pods } from "../../src/api/registry.ts";
import type { Pod } from "../../src/api/types.ts";
import { render } from "../../src/cli/get.ts";
import { formatTable, labelsCell, renderTable, tableHeader } from "../../src/cli/table.ts";

const now = Date.parse("2026-01-01T00:10:00Z");

function pod(name: string, ns = "default", extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, creationTimestamp: "2026-01-01T00:00:00Z", labels: { app: "web" } },
    spec: { containers: [{ name: "c", image: "x" }], nodeName: "n1" },
    status: { phase: "Running", podIP: "10.0.0.1", containerStatuses: [{ name: "c", ready: true, restartCount: 2, state: { running: {} } }] },
    ...extra,
  };
}

describe("tables", () => {
  test("cells are padded to the widest, three spaces apart, last column unpadded", () => {
    expect(formatTable([["NAME", "AGE"], ["a-long-name", "5s"], ["b", "10m"]])).toBe("NAME          AGE\na-long-name   5s\nb             10m\n");
  });

  test("pod table like kubectl's", () => {
    expect(renderTable(Pods, [pod("web-1")], { now })).toBe("NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   2          10m\n");
  });

  test("-A puts NAMESPACE first; -o wide adds priority-1 columns; --show-labels adds LABELS", () => {
    expect(tableHeader(Pods, { withNamespace: true })[0]).toBe("NAMESPACE");
    expect(tableHeader(Pods, { wide: true })).toContain("NODE");
    expect(tableHeader(Pods, {})).not.toContain("NODE");
    const text = renderTable(Pods, [pod("web-1", "prod")], { now, withNamespace: true, wide: true, showLabels: true });
    const [header, row] = text.trimEnd().split("\n");
    expect(header.split(/\s{2,}/)).toEqual(["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "LABELS"]);
    expect(row.split(/\s{2,}/)).toEqual(["prod", "web-1", "1/1", "Running", "2", "10m", "10.0.0.1", "n1", "<none>", "app=web"]);
    expect(labelsCell(undefined)).toBe("<none>");
  });

  test("--no-headers", () => {
    expect(renderTable(Pods, [pod("a")], { now, noHeaders: true })).toStartWith("a   ");
  });

  test("several kinds: one table each, names prefixed by kind", () => {
    const dep = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { replicas: 1, selector: {}, template: { spec: { containers: [] } } } };
    const text = render([{ rt: Pods, objs: [pod("a")] }, { rt: Deployments, objs: [dep] }], "table", { single: false, allNamespaces: false, now });
    expect(text).toContain("pod/a ");
    expect(text).toContain("deployment.apps/web ");
    expect(text.split("\n\n")).toHaveLength(2);
  });

  test("-o name, json, yaml", () => {
    expect(render([{ rt: Pods, objs: [pod("a"), pod("b")] }], "name", { single: false, allNamespaces: false })).toBe("pod/a\npod/b\n");
    const single = JSON.parse(render([{ rt: Pods, objs: [pod("a")] }], "json", { single: true, allNamespaces: false }));
    expect(single.kind).toBe("Pod");
    const list = JSON.parse(render([{ rt: Pods, objs: [pod("a")], resourceVersion: "9" }], "json", { single: false, allNamespaces: false }));
    expect(list.kind).toBe("List");
    expect(list.metadata.resourceVersion).toBe("9");
    expect(list.items).toHaveLength(1);
    const yaml = render([{ rt: Pods, objs: [pod("a")] }], "yaml", { single: true, allNamespaces: false });
    expect(Bun.YAML.parse(yaml)).toMatchObject({ kind: "Pod", metadata: { name: "a" } });
    expect(render([{ rt: Pods, objs: [] }], "table", { single: false, allNamespaces: false })).toBe("");
  });
});
