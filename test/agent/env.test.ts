import { describe, expect, test } from "bun:test";
import { buildArgv, buildEnv, EnvError, expand, serviceEnv, type EnvLookups } from "../../src/agent/env.ts";
import type { ConfigMap, Container, Pod, Secret, Service } from "../../src/api/types.ts";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace: "shop", uid: "u1", labels: { app: "web" } },
  spec: { nodeName: "n1", containers: [] },
};
const cm: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "shop" }, data: { MODE: "fast", LEVEL: "3" } };
const secret: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "shop" }, data: { password: Buffer.from("s3cret").toString("base64") } };
const svc: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "redis-main", namespace: "shop" }, spec: { clusterIP: "10.43.0.7", ports: [{ name: "tcp", port: 6379 }] } };

function lookups(extra: Record<string, string> = {}): EnvLookups {
  return {
    configMap: (ns, name) => (ns === "shop" && name === "cfg" ? cm : undefined),
    secret: (ns, name) => (ns === "shop" && name === "creds" ? secret : undefined),
    services: [svc],
    nodeIP: "127.0.0.2",
    extra,
    base: { PATH: "/usr/bin" },
  };
}

describe("expand", () => {
  test("replaces known variables, keeps unknown ones, $$ escapes", () => {
    const vars = { A: "1", B: "two" };
    expect(expand("x$(A)y$(B)", vars)).toBe("x1ytwo");
    expect(expand("$(NOPE) and $(A)", vars)).toBe("$(NOPE) and 1");
    expect(expand("$$(A)", vars)).toBe("$(A)");
    expect(expand("price $5 $(A", vars)).toBe("price $5 $(A");
    expect(expand("end$", vars)).toBe("end$");
  });
});

describe("serviceEnv", () => {
  test("names variables after the service, skips headless services", () => {
    const headless: Service = { ...svc, metadata: { name: "h" }, spec: { clusterIP: "None", ports: [{ port: 1 }] } };
    expect(serviceEnv([svc, headless])).toEqual({
      REDIS_MAIN_SERVICE_HOST: "10.43.0.7",
      REDIS_MAIN_SERVICE_PORT: "6379",
      REDIS_MAIN_SERVICE_PORT_TCP: "6379",
    });
  });
});

describe("buildEnv", () => {
  test("value, expansion in order, fieldRef, configMap and secret refs, envFrom, service vars, extras", () => {
    const c: Container = {
      name: "app",
      envFrom: [{ configMapRef: { name: "cfg" }, prefix: "CFG_" }],
      env: [
        { name: "GREETING", value: "hello" },
        { name: "MSG", value: "$(GREETING) from $(POD) on $(PORT)" },
        { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "LATE", value: "$(POD)" },
        { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "MODE" } } },
        { name: "PW", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
        { name: "OPT", valueFrom: { configMapKeyRef: { name: "missing", key: "x", optional: true } } },
      ],
      command: ["serve", "--port=$(PORT)", "$(MSG)"],
    };
    const env = buildEnv(pod, c, lookups({ PORT: "20001" }));
    expect(env.MSG).toBe("hello from $(POD) on 20001"); // POD is defined after MSG
    expect(env.LATE).toBe("web-1");
    expect(env.IP).toBe("127.0.0.2");
    expect(env.APP).toBe("web");
    expect(env.MODE).toBe("fast");
    expect(env.CFG_LEVEL).toBe("3");
    expect(env.PW).toBe("s3cret");
    expect(env.OPT).toBeUndefined();
    expect(env.REDIS_MAIN_SERVICE_HOST).toBe("10.43.0.7");
    expect(env.PATH).toBe("/usr/bin");
    expect(env.HOSTNAME).toBe("web-1");
    expect(buildArgv(c, env)).toEqual(["serve", "--port=20001", "hello from $(POD) on 20001"]);
  });

  test("a missing ConfigMap, Secret or key is an EnvError", () => {
    const bad = (env: Container["env"], envFrom?: Container["envFrom"]) => () => buildEnv(pod, { name: "c", env, envFrom }, lookups());
    expect(bad([{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "k" } } }])).toThrow(EnvError);
    expect(bad([{ name: "X", valueFrom: { configMapKeyRef: { name: "cfg", key: "nokey" } } }])).toThrow(/couldn't find key nokey/);
    expect(bad([{ name: "X", valueFrom: { secretKeyRef: { name: "nope", key: "k" } } }])).toThrow(/secret "nope" not found/);
    expect(bad([], [{ secretRef: { name: "nope" } }])).toThrow(EnvError);
    expect(bad([{ name: "X", valueFrom: { fieldRef: { fieldPath: "spec.bogus" } } }])).toThrow(/unsupported fieldRef/);
  });
});
