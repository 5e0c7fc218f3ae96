import { describe, expect, test } from "bun:test";
import { allocatePorts, parsePortRange, podHostPort, portEnv, portIsFree, PortError } from "../../src/agent/ports.ts";
import type { Pod } from "../../src/api/types.ts";

function pod(): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: {
      containers: [
        { name: "web", ports: [{ name: "http", containerPort: 8080 }, { name: "admin-ui", containerPort: 9000 }] },
        { name: "side", ports: [{ containerPort: 53, hostPort: 5353, protocol: "UDP" }] },
      ],
    },
  };
}

describe("allocatePorts", () => {
  test("uses hostPort when set, else the next free port of the range, skipping taken and busy ones", () => {
    const busy = new Set([20001]);
    const maps = allocatePorts(pod(), { range: { min: 20000, max: 20010 }, taken: new Set([20000]), isFree: (p) => !busy.has(p) });
    expect(maps).toEqual([
      { containerName: "web", name: "http", containerPort: 8080, hostPort: 20002, protocol: "TCP" },
      { containerName: "web", name: "admin-ui", containerPort: 9000, hostPort: 20003, protocol: "TCP" },
      { containerName: "side", containerPort: 53, hostPort: 5353, protocol: "UDP" },
    ]);
  });

  test("fails clearly when the range is exhausted or a hostPort is taken", () => {
    expect(() => allocatePorts(pod(), { range: { min: 20000, max: 20000 }, taken: new Set(), isFree: () => true })).toThrow(PortError);
    expect(() => allocatePorts(pod(), { range: { min: 20000, max: 20010 }, taken: new Set([5353]), isFree: () => true })).toThrow(/5353 is already used/);
  });

  test("wraps around from a random start", () => {
    const maps = allocatePorts(pod(), { range: { min: 20000, max: 20002 }, taken: new Set(), isFree: () => true, start: 20002 });
    expect(maps.map((m) => m.hostPort)).toEqual([20002, 20000, 5353]);
  });
});

describe("port env and lookup", () => {
  test("PORT is the first port, PORT_<NAME> each named one", () => {
    const maps = allocatePorts(pod(), { range: { min: 20000, max: 20010 }, taken: new Set(), isFree: () => true });
    expect(portEnv(maps, "web")).toEqual({ PORT: "20000", PORT_HTTP: "20000", PORT_ADMIN_UI: "20001" });
    const p = pod();
    p.status = { hostPorts: maps };
    expect(podHostPort(p, "http")).toBe(20000);
    expect(podHostPort(p, 9000)).toBe(20001);
    expect(podHostPort(p, "9000")).toBe(20001);
    expect(podHostPort(p, 7777)).toBe(7777);
    expect(podHostPort(p, "nope")).toBeUndefined();
  });

  test("parsePortRange", () => {
    expect(parsePortRange("30000-30100")).toEqual({ min: 30000, max: 30100 });
    expect(() => parsePortRange("10-5")).toThrow();
    expect(() => parsePortRange("abc")).toThrow();
  });

  test("portIsFree sees a real listener", () => {
    const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      expect(portIsFree(l.port)).toBe(false);
    } finally {
      l.stop(true);
    }
    expect(portIsFree(l.port)).toBe(true);
  });
});
