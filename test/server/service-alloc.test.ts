import { describe, expect, test } from "bun:test";
import type { Service } from "../../src/api/types.ts";
import { allocateService, inCidr, parseCidr } from "../../src/server/service-alloc.ts";
import { startTestServer } from "./helpers.ts";

const cidr = parseCidr("10.43.0.0/16");
const svc = (name: string, spec: Partial<Service["spec"]> = {}): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "default" },
  spec: { type: "ClusterIP", ports: [{ port: 80, protocol: "TCP" }], ...spec },
});

describe("allocateService", () => {
  test("CIDR parsing", () => {
    expect(parseCidr("10.43.7.9/16")).toMatchObject({ base: (10 * 256 + 43) * 65536, size: 65536 });
    for (const bad of ["10.43.0.0", "10.43.0.0/33", "10.43.0.0/31", "300.1.1.1/16", "fd00::/64", ""]) expect(() => parseCidr(bad)).toThrow(/invalid service CIDR/);
    expect(inCidr(cidr, "10.43.255.254")).toBe(true);
    expect(inCidr(cidr, "10.44.0.1")).toBe(false);
  });

  test("a free ClusterIP in range, never the network, first or broadcast address", () => {
    const small = parseCidr("192.168.5.0/29");
    const taken: Service[] = [];
    for (let i = 0; i < 5; i++) {
      const s = svc(`s${i}`);
      expect(allocateService(s, undefined, taken, small, () => 0.99)).toEqual([]);
      taken.push(s);
    }
    const ips = taken.map((s) => s.spec.clusterIP).sort();
    expect(ips).toEqual(["192.168.5.2", "192.168.5.3", "192.168.5.4", "192.168.5.5", "192.168.5.6"]);
    expect(taken[0]!.spec.clusterIPs).toEqual([taken[0]!.spec.clusterIP!]);
    const full = svc("full");
    expect(allocateService(full, undefined, taken, small)[0]!.message).toContain("no free IP");
  });

  test("requested ClusterIPs must be free and in range; headless and ExternalName get none", () => {
    const a = svc("a", { clusterIP: "10.43.0.10" });
    expect(allocateService(a, undefined, [], cidr)).toEqual([]);
    expect(allocateService(svc("b", { clusterIP: "10.43.0.10" }), undefined, [a], cidr)[0]!.message).toContain("already allocated");
    expect(allocateService(svc("c", { clusterIP: "10.99.0.1" }), undefined, [], cidr)[0]!.message).toContain("not in the valid range");
    const headless = svc("h", { clusterIP: "None" });
    allocateService(headless, undefined, [], cidr);
    expect(headless.spec.clusterIP).toBe("None");
    const ext = svc("e", { type: "ExternalName", externalName: "example.com", ports: [] });
    allocateService(ext, undefined, [], cidr);
    expect(ext.spec.clusterIP).toBeUndefined();
  });

  test("NodePorts: allocated, kept across updates, conflicts refused, released on ClusterIP", () => {
    const a = svc("a", { type: "NodePort", ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] });
    expect(allocateService(a, undefined, [], cidr)).toEqual([]);
    const [p1, p2] = a.spec.ports!.map((p) => p.nodePort!);
    expect(p1).toBeGreaterThanOrEqual(30000);
    expect(p1).not.toBe(p2);
    const updated = svc("a", { type: "NodePort", clusterIP: a.spec.clusterIP, ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] });
    allocateService(updated, a, [], cidr);
    expect(updated.spec.ports!.map((p) => p.nodePort)).toEqual([p1, p2]);
    const clash = svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: p1 }] });
    expect(allocateService(clash, undefined, [a], cidr)[0]).toMatchObject({ field: "spec.ports[0].nodePort" });
    const back = svc("a", { type: "ClusterIP", clusterIP: a.spec.clusterIP, ports: [{ name: "http", port: 80, nodePort: p1 }] });
    allocateService(back, a, [], cidr);
    expect(back.spec.ports![0]!.nodePort).toBeUndefined();
  });
});

describe("Services through the API", () => {
  test("concurrent creates get distinct ClusterIPs and NodePorts; conflicts are 422 and change nothing", async () => {
    const t = await startTestServer({ serviceCidr: "10.50.0.0/24" });
    try {
      const made = await Promise.all(
        Array.from({ length: 40 }, (_, i) => t.json("POST", "/api/v1/namespaces/default/services", svc(`svc-${i}`, { type: "NodePort", selector: { app: "x" } }))),
      );
      expect(made.every((r) => r.status === 201)).toBe(true);
      const ips = new Set(made.map((r) => r.body.spec.clusterIP));
      const ports = new Set(made.map((r) => r.body.spec.ports[0].nodePort));
      expect(ips.size).toBe(40);
      expect(ports.size).toBe(40);
      for (const ip of ips) expect(inCidr(parseCidr("10.50.0.0/24"), ip)).toBe(true);

      const before = t.server.store.currentRevision();
      const dupIp = await t.json("POST", "/api/v1/namespaces/default/services", svc("dup-ip", { clusterIP: made[0]!.body.spec.clusterIP }));
      expect(dupIp.status).toBe(422);
      const dupPort = await t.json("POST", "/api/v1/namespaces/default/services", svc("dup-port", { type: "NodePort", ports: [{ port: 80, nodePort: made[0]!.body.spec.ports[0].nodePort }] }));
      expect(dupPort.status).toBe(422);
      expect(t.server.store.currentRevision()).toBe(before);

      // A patch keeps the addresses; deleting a Service frees them.
      const patched = await t.json("PATCH", "/api/v1/namespaces/default/services/svc-0", { metadata: { labels: { a: "b" } } }, { "Content-Type": "application/merge-patch+json" });
      expect(patched.body.spec.clusterIP).toBe(made[0]!.body.spec.clusterIP);
      expect(patched.body.spec.ports[0].nodePort).toBe(made[0]!.body.spec.ports[0].nodePort);
      await t.json("DELETE", "/api/v1/namespaces/default/services/svc-0");
      const reuse = await t.json("POST", "/api/v1/namespaces/default/services", svc("reuse", { clusterIP: made[0]!.body.spec.clusterIP }));
      expect(reuse.status).toBe(201);
    } finally {
      await t.close();
    }
  });
});
