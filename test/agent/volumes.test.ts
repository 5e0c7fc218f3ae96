import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mountVolumes, prepareVolumes, projectedFiles, VolumeError, type VolumeLookups } from "../../src/agent/volumes.ts";
import type { ConfigMap, Pod, Secret } from "../../src/api/types.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-vol-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let cm: ConfigMap;
const secret: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { token: Buffer.from("t0k").toString("base64") } };
const lk: VolumeLookups = { configMap: (_ns, n) => (n === "cfg" ? cm : undefined), secret: (_ns, n) => (n === "s" ? secret : undefined) };

function pod(): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "uid-9" },
    spec: {
      containers: [{ name: "c", volumeMounts: [{ name: "config", mountPath: "/etc/app" }, { name: "scratch", mountPath: "tmp/work" }, { name: "creds", mountPath: "/run/secrets" }] }],
      volumes: [
        { name: "config", configMap: { name: "cfg" } },
        { name: "scratch", emptyDir: {} },
        { name: "creds", secret: { secretName: "s", defaultMode: 0o600 } },
        { name: "host", hostPath: { path: join(dir, "host-dir"), type: "DirectoryOrCreate" } },
      ],
    },
  };
}

describe("volumes", () => {
  test("projected files honour items and modes; missing sources are errors unless optional", () => {
    cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { a: "1", b: "2" } };
    const files = projectedFiles({ name: "v", configMap: { name: "cfg", items: [{ key: "b", path: "sub/b.txt", mode: 0o400 }] } }, "default", lk)!;
    expect([...files.keys()]).toEqual(["sub/b.txt"]);
    expect(files.get("sub/b.txt")?.mode).toBe(0o400);
    expect(() => projectedFiles({ name: "v", configMap: { name: "nope" } }, "default", lk)).toThrow(VolumeError);
    expect(projectedFiles({ name: "v", configMap: { name: "nope", optional: true } }, "default", lk)?.size).toBe(0);
    expect(() => projectedFiles({ name: "v", configMap: { name: "cfg", items: [{ key: "x", path: "../escape" }] } }, "default", lk)).toThrow(VolumeError);
  });

  test("prepare writes files, keeps them up to date, links mounts into the pod root", () => {
    cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { a: "1", b: "2" } };
    const p = pod();
    const paths = prepareVolumes(p, dir, lk);
    const cfgDir = paths.get("config")!;
    expect(readFileSync(join(cfgDir, "a"), "utf8")).toBe("1");
    expect(readFileSync(join(paths.get("creds")!, "token"), "utf8")).toBe("t0k");
    expect(statSync(join(paths.get("creds")!, "token")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, "host-dir"))).toBe(true);
    expect(paths.get("host")).toBe(join(dir, "host-dir"));

    cm = { ...cm, data: { a: "changed" } };
    prepareVolumes(p, dir, lk);
    expect(readFileSync(join(cfgDir, "a"), "utf8")).toBe("changed");
    expect(existsSync(join(cfgDir, "b"))).toBe(false);

    const root = join(dir, "root");
    const env = mountVolumes(p.spec.containers[0]!, root, paths);
    expect(env.SKIFF_VOLUME_CONFIG).toBe(cfgDir);
    expect(readlinkSync(join(root, "etc/app"))).toBe(cfgDir);
    expect(readFileSync(join(root, "etc/app/a"), "utf8")).toBe("changed");
    expect(readlinkSync(join(root, "tmp/work"))).toBe(paths.get("scratch")!);
    // Idempotent.
    mountVolumes(p.spec.containers[0]!, root, paths);
    expect(() => mountVolumes({ name: "x", volumeMounts: [{ name: "ghost", mountPath: "/g" }] }, root, paths)).toThrow(VolumeError);
  });
});
