import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError } from "../../src/api/errors.ts";
import { buildKubeconfig, kubeconfigCandidates, loadKubeconfig, parseKubeconfig } from "../../src/client/kubeconfig.ts";

const dir = mkdtempSync(join(tmpdir(), "skiff-kubeconfig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const caPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("kubeconfig", () => {
  test("build → load round trip", () => {
    const path = join(dir, "admin.kubeconfig");
    writeFileSync(path, buildKubeconfig({ server: "https://127.0.0.1:6443", caPem, token: "t0k" }));
    expect(loadKubeconfig(path)).toEqual({ server: "https://127.0.0.1:6443", caPem, token: "t0k", path });
    expect(loadKubeconfig({ path })).toEqual(loadKubeconfig(path));
  });

  test("the built file is the shape kubectl reads", () => {
    const doc = Bun.YAML.parse(buildKubeconfig({ server: "https://h:1", caPem, token: "x", name: "edge" })) as Record<string, unknown>;
    expect(doc.apiVersion).toBe("v1");
    expect(doc.kind).toBe("Config");
    expect(doc["current-context"]).toBe("edge");
    expect(doc.clusters).toEqual([{ name: "edge", cluster: { server: "https://h:1", "certificate-authority-data": Buffer.from(caPem).toString("base64") } }]);
    expect(doc.users).toEqual([{ name: "edge", user: { token: "x" } }]);
  });

  test("current-context picks the cluster and user; file references resolve relative to the kubeconfig", () => {
    mkdirSync(join(dir, "refs"), { recursive: true });
    writeFileSync(join(dir, "refs", "ca.pem"), caPem);
    writeFileSync(join(dir, "refs", "token"), "from-file\n");
    const text = `
apiVersion: v1
kind: Config
current-context: b
clusters:
- name: ca
  cluster: { server: "https://a:1", insecure-skip-tls-verify: true }
- name: cb
  cluster: { server: "https://b:2/", certificate-authority: ca.pem }
users:
- name: ua
  user: { token: a }
- name: ub
  user: { tokenFile: token }
contexts:
- name: a
  context: { cluster: ca, user: ua }
- name: b
  context: { cluster: cb, user: ub }
`;
    const path = join(dir, "refs", "config");
    expect(parseKubeconfig(text, path)).toEqual({ server: "https://b:2", caPem, token: "from-file", path });
    expect(parseKubeconfig(text.replace("current-context: b", "current-context: a"), path)).toEqual({ server: "https://a:1", insecureSkipTlsVerify: true, token: "a", path });
  });

  test("resolution order: flag, KUBECONFIG, then the defaults", () => {
    expect(kubeconfigCandidates("/x", { KUBECONFIG: "/y" })).toEqual(["/x"]);
    expect(kubeconfigCandidates(undefined, { KUBECONFIG: ":/y:/z" })).toEqual(["/y"]);
    expect(kubeconfigCandidates(undefined, { HOME: "/home/u" })).toEqual(["/var/lib/skiff/admin.kubeconfig", "/home/u/.skiff/admin.kubeconfig", "/home/u/.kube/config"]);
  });

  test("missing or broken files give one clear error", () => {
    expect(() => loadKubeconfig(join(dir, "nope"))).toThrow(/no kubeconfig found/);
    const bad = join(dir, "bad");
    writeFileSync(bad, "current-context: x\n");
    const err = (() => {
      try {
        loadKubeconfig(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe(`invalid kubeconfig ${bad}: context "x" not found`);
  });
});
