// The real CLI (`bun src/main.ts ...` as a subprocess) against a real server
// started in-process on 127.0.0.1, port 0, with its own temp data dir.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../../src/server/server.ts";
import { ConfigMaps, Pods } from "../../src/api/registry.ts";
import type { ConfigMap, Event, KubeObject, Pod } from "../../src/api/types.ts";
import { recordEvent } from "../../src/client/events.ts";
import { waitFor } from "../support/wait.ts";

// Each test runs the CLI as several subprocesses; on a loaded machine that takes more than bun's default 5 s.
setDefaultTimeout(60_000);

type Running = Awaited<ReturnType<typeof startServer>>;

const repo = join(import.meta.dir, "..", "..");
let dir: string;
let server: Running;
let kubeconfig: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function skiff(args: string[], stdin?: string): Promise<Result> {
  const proc = Bun.spawn([process.execPath, join(repo, "src/main.ts"), ...args], {
    cwd: dir,
    env: { ...process.env, KUBECONFIG: kubeconfig, SKIFF_LOG_LEVEL: "error" },
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const podYaml = (name: string, image = "busybox:1", labels = "app: web") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  containers:
  - name: main
    image: ${image}
    command: ["sleep", "3600"]
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-cli-"));
  server = await startServer({
    dataDir: join(dir, "data"),
    bindAddress: "127.0.0.1",
    port: 0,
    disableScheduler: true,
    disableAgent: true,
    controllers: [],
  });
  kubeconfig = join(dir, "data", "admin.kubeconfig");
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("skiff CLI against a real server", () => {
  test("version prints client and server versions", async () => {
    const r = await skiff(["version"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Client Version: v\d+\.\d+\.\d+\nServer Version: v/);
  });

  test("get on an empty namespace says so, on stderr, with exit 0", async () => {
    const r = await skiff(["get", "pods", "-n", "kube-public"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("No resources found in kube-public namespace.\n");
  });

  test("create, then get as a table, -o name, -o yaml, -o json", async () => {
    const file = write("web-1.yaml", podYaml("web-1"));
    const created = await skiff(["create", "-f", file]);
    expect(created.stderr).toBe("");
    expect(created.stdout).toBe("pod/web-1 created\n");

    const again = await skiff(["create", "-f", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`Error from server (AlreadyExists): error when creating "${file}": pods "web-1" already exists\n`);

    const table = await skiff(["get", "pods"]);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(row).toMatch(/^web-1\s+0\/1\s+Pending\s+0\s+\d+s$/);

    expect((await skiff(["get", "po", "-o", "name"])).stdout).toBe("pod/web-1\n");
    const yaml = Bun.YAML.parse((await skiff(["get", "pod/web-1", "-o", "yaml"])).stdout) as Pod;
    expect(yaml.kind).toBe("Pod");
    expect(yaml.metadata.uid).toBeString();
    const list = JSON.parse((await skiff(["get", "pods", "-o", "json"])).stdout) as { kind: string; items: Pod[] };
    expect(list.kind).toBe("List");
    expect(list.items.map((p) => p.metadata.name)).toEqual(["web-1"]);

    expect((await skiff(["get", "pod", "web-1", "-o", "jsonpath={.spec.containers[0].image}"])).stdout).toBe("busybox:1");
    expect((await skiff(["get", "pods", "-o", 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'])).stdout).toBe("web-1\n");

    const all = await skiff(["get", "pods", "-A"]);
    expect(all.stdout.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/);
  });

  test("get of a missing object: kubectl's message, exit 1", async () => {
    const r = await skiff(["get", "pod", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });

  test("unknown resource types and bad flags are one-line errors", async () => {
    const r = await skiff(["get", "frobs"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: the server doesn\'t have a resource type "frobs"\n');
    const bad = await skiff(["get", "pods", "-o", "xml"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toStartWith("error: unable to match a printer");
  });

  test("apply: created, unchanged, configured; a removed label goes away", async () => {
    const file = write("cm.yaml", `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {a: "1", b: "2"}
data:
  mode: fast
`);
    expect((await skiff(["apply", "-f", file])).stdout).toBe("configmap/settings created\n");
    expect((await skiff(["apply", "-f", file])).stdout).toBe("configmap/settings unchanged\n");
    write("cm.yaml", `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {a: "1"}
data:
  mode: slow
`);
    const r = await skiff(["apply", "-f", file]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("configmap/settings configured\n");
    const cm = await server.client.get<ConfigMap>(ConfigMaps, "default", "settings");
    expect(cm.data).toEqual({ mode: "slow" });
    expect(cm.metadata.labels).toEqual({ a: "1" });
  });

  test("apply of a Deployment: server defaults do not make it look changed", async () => {
    const dep = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ${image}
        ports: [{containerPort: 8080}]
        env: [{name: MODE, value: prod}]
`;
    const file = write("api.yaml", dep("api:1"));
    expect((await skiff(["apply", "-f", file])).stdout).toBe("deployment.apps/api created\n");
    expect((await skiff(["apply", "-f", file])).stdout).toBe("deployment.apps/api unchanged\n");
    write("api.yaml", dep("api:2"));
    expect((await skiff(["apply", "-f", file])).stdout).toBe("deployment.apps/api configured\n");
    const image = await skiff(["get", "deploy", "api", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]);
    expect(image.stdout).toBe("api:2");
    expect((await skiff(["apply", "-f", file])).stdout).toBe("deployment.apps/api unchanged\n");
  });

  test("kubectl apply after skiff apply of the same file is unchanged, and vice versa", async () => {
    const file = write("interop.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: interop\n  labels: {b: '1', a: '2'}\ndata: {k: v}\n");
    const kubectl = async (...args: string[]) => {
      const proc = Bun.spawn(["/usr/bin/kubectl", "--kubeconfig", kubeconfig, ...args], { stdout: "pipe", stderr: "pipe" });
      const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      return { stdout, code };
    };
    expect((await skiff(["apply", "-f", file])).stdout).toBe("configmap/interop created\n");
    expect(await kubectl("apply", "-f", file)).toEqual({ code: 0, stdout: "configmap/interop unchanged\n" });
    write("interop.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: interop\n  labels: {a: '2'}\ndata: {k: w}\n");
    expect((await kubectl("apply", "-f", file)).stdout).toBe("configmap/interop configured\n");
    expect((await skiff(["apply", "-f", file])).stdout).toBe("configmap/interop unchanged\n");
    expect((await server.client.get<ConfigMap>(ConfigMaps, "default", "interop")).metadata.labels).toEqual({ a: "2" });
  });

  test("apply from a directory and from stdin, multi-document", async () => {
    const d = join(dir, "manifests");
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "a.yaml"), `apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n`);
    writeFileSync(join(d, "b.json"), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-json", namespace: "team-a" }, data: { x: "1" } }));
    writeFileSync(join(d, "notes.txt"), "ignored");
    const r = await skiff(["apply", "-f", d]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("namespace/team-a created\nconfigmap/from-json created\n");

    const stdin = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s1}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: s2}\n`;
    const s = await skiff(["apply", "-n", "team-a", "-f", "-"], stdin);
    expect(s.stdout).toBe("configmap/s1 created\nconfigmap/s2 created\n");
    expect((await skiff(["get", "cm", "-n", "team-a", "-o", "name"])).stdout).toBe("configmap/from-json\nconfigmap/s1\nconfigmap/s2\n");
  });

  test("diff: nothing for an applied manifest, a unified diff for a change, 2 for an error", async () => {
    const cm = (mode: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: differ}\ndata: {mode: ${mode}, keep: "1"}\n`;
    const file = write("differ.yaml", cm("fast"));
    const created = await skiff(["diff", "-f", file]);
    expect(created.code).toBe(1);
    expect(created.stdout).toStartWith("--- live/v1.ConfigMap.default.differ\n+++ merged/v1.ConfigMap.default.differ\n@@ -0,0 +1,");
    expect((await skiff(["apply", "-f", file])).stdout).toBe("configmap/differ created\n");
    const same = await skiff(["diff", "-f", file]);
    expect(same).toEqual({ code: 0, stdout: "", stderr: "" });
    write("differ.yaml", cm("slow"));
    const changed = await skiff(["diff", "-f", file]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain("\n-  mode: fast\n+  mode: slow\n");
    expect(changed.stdout).not.toContain("resourceVersion");
    expect((await server.client.get<ConfigMap>(ConfigMaps, "default", "differ")).data?.mode).toBe("fast");
    const broken = await skiff(["diff", "-f", write("differ-bad.yaml", "apiVersion: v1\nkind: Nope\nmetadata: {name: x}\n")]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toStartWith("error: error validating");
  });

  test("--dry-run=client and --dry-run=server change nothing", async () => {
    const before = (await server.client.list(ConfigMaps, undefined)).metadata.resourceVersion;
    const file = write("dry.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\ndata: {a: b}\n`);
    expect((await skiff(["apply", "-f", file, "--dry-run=client"])).stdout).toBe("configmap/dry created (dry run)\n");
    expect((await skiff(["apply", "-f", file, "--dry-run=server"])).stdout).toBe("configmap/dry created (server dry run)\n");
    expect((await skiff(["create", "-f", file, "--dry-run=server"])).stdout).toBe("configmap/dry created (server dry run)\n");
    const invalid = write("dry-invalid.yaml", `apiVersion: v1\nkind: Pod\nmetadata: {name: dry-pod}\nspec: {containers: []}\n`);
    const r = await skiff(["apply", "-f", invalid, "--dry-run=server"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith("Error from server (Invalid): ");
    expect((await skiff(["delete", "pod", "web-1", "--dry-run=server"])).stdout).toBe('pod "web-1" deleted (server dry run)\n');
    expect((await skiff(["delete", "pod", "web-1", "--dry-run"])).stdout).toBe('pod "web-1" deleted (dry run)\n');
    expect((await skiff(["get", "pod", "web-1", "-o", "name"])).stdout).toBe("pod/web-1\n");
    expect((await server.client.list(ConfigMaps, undefined)).metadata.resourceVersion).toBe(before);
    expect((await skiff(["apply", "-f", file, "--dry-run=sometimes"])).stderr).toBe('error: invalid --dry-run "sometimes": must be none, client or server\n');
  });

  test("bad manifests: one clear message, nothing changed", async () => {
    const before = (await server.client.list(ConfigMaps, undefined)).metadata.resourceVersion;
    const file = write("bad.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok-one}\n---\napiVersion: v1\nkind: Frobnicator\nmetadata: {name: x}\n`);
    const r = await skiff(["apply", "-f", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: error validating ${file}: no matches for kind "Frobnicator" in version "v1"\n`);
    const broken = write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n");
    const b = await skiff(["apply", "-f", broken]);
    expect(b.code).toBe(1);
    expect(b.stderr).toStartWith(`error: error parsing ${broken}:`);
    expect(b.stderr.trimEnd().split("\n")).toHaveLength(1);
    const missing = await skiff(["apply", "-f", join(dir, "nope.yaml")]);
    expect(missing.stderr).toBe(`error: the path "${join(dir, "nope.yaml")}" does not exist\n`);
    const after = (await server.client.list(ConfigMaps, undefined)).metadata.resourceVersion;
    expect(after).toBe(before);
  });

  test("server-side validation errors are reported as the server's", async () => {
    const file = write("invalid.yaml", `apiVersion: v1\nkind: Pod\nmetadata: {name: invalid}\nspec: {containers: []}\n`);
    const r = await skiff(["create", "-f", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith(`Error from server (Invalid): error when creating "${file}": `);
  });

  test("label: add, refuse to overwrite, overwrite, remove", async () => {
    await skiff(["create", "-f", write("web-2.yaml", podYaml("web-2"))]);
    expect((await skiff(["label", "pods", "web-2", "tier=front"])).stdout).toBe("pod/web-2 labeled\n");
    const refused = await skiff(["label", "pod/web-2", "tier=back"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("error: 'tier' already has a value (front), and --overwrite is false\n");
    expect((await skiff(["label", "pod/web-2", "tier=back", "--overwrite"])).stdout).toBe("pod/web-2 labeled\n");
    expect((await server.client.get<Pod>(Pods, "default", "web-2")).metadata.labels).toEqual({ app: "web", tier: "back" });
    expect((await skiff(["label", "pod/web-2", "tier-"])).stdout).toBe("pod/web-2 unlabeled\n");
    expect((await server.client.get<Pod>(Pods, "default", "web-2")).metadata.labels).toEqual({ app: "web" });
  });

  test("annotate: free-text values, --overwrite, removal", async () => {
    expect((await skiff(["annotate", "pod/web-2", "note=hello world: yes"])).stdout).toBe("pod/web-2 annotated\n");
    const refused = await skiff(["annotate", "pod/web-2", "note=other"]);
    expect(refused.stderr).toBe("error: 'note' already has a value (hello world: yes), and --overwrite is false\n");
    expect((await server.client.get<Pod>(Pods, "default", "web-2")).metadata.annotations?.note).toBe("hello world: yes");
    expect((await skiff(["annotate", "pod/web-2", "note-"])).stdout).toBe("pod/web-2 unannotated\n");
    expect((await server.client.get<Pod>(Pods, "default", "web-2")).metadata.annotations?.note).toBeUndefined();
  });

  test("wait: a condition set later is waited for; a timeout is an error", async () => {
    const waiting = skiff(["wait", "pod/web-2", "--for=condition=Ready", "--timeout=20s"]);
    const pod = await server.client.get<Pod>(Pods, "default", "web-2");
    await server.client.patch(Pods, "default", "web-2", { status: { conditions: [{ type: "Ready", status: "True" }] } }, "merge", "status");
    const r = await waiting;
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("pod/web-2 condition met\n");
    expect(pod.metadata.name).toBe("web-2");
    const jp = await skiff(["wait", "pod/web-2", "--for=jsonpath={.metadata.name}=web-2", "--timeout=5s"]);
    expect(jp.stdout).toBe("pod/web-2 condition met\n");
    const late = await skiff(["wait", "pod/web-2", "--for=delete", "--timeout=300ms"]);
    expect(late.code).toBe(1);
    expect(late.stderr).toBe("error: timed out waiting for the condition on pods/web-2\n");
  });

  test("get with label and field selectors", async () => {
    await skiff(["create", "-f", write("db.yaml", podYaml("db-1", "postgres:16", "app: db"))]);
    expect((await skiff(["get", "pods", "-l", "app=db", "-o", "name"])).stdout).toBe("pod/db-1\n");
    expect((await skiff(["get", "pods", "-l", "app in (web)", "-o", "name"])).stdout).toBe("pod/web-1\npod/web-2\n");
    expect((await skiff(["get", "pods", "--field-selector", "metadata.name=web-2", "-o", "name"])).stdout).toBe("pod/web-2\n");
    const cc = await skiff(["get", "pods", "-l", "app", "-o", "custom-columns=NAME:.metadata.name,APP:.metadata.labels.app", "--sort-by", ".metadata.labels.app"]);
    expect(cc.stdout).toMatch(/^NAME\s+APP\ndb-1\s+db\nweb-\d\s+web\nweb-\d\s+web\n$/);
    const bad = await skiff(["get", "pods", "-l", "app in (("]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toStartWith("Error from server (BadRequest): ");
  });

  test("describe shows identity, containers and events", async () => {
    const pod = await server.client.get<Pod>(Pods, "default", "web-1");
    await recordEvent(server.client, pod, "Warning", "TestReason", "something noteworthy", "cli-test");
    await recordEvent(server.client, pod, "Warning", "TestReason", "something noteworthy", "cli-test");
    await waitFor("event count 2", async () => {
      const evs = (await server.client.list<Event>({ group: "", version: "v1", plural: "events", namespaced: true, kind: "Event" }, "default")).items;
      return evs.some((e) => e.reason === "TestReason" && e.count === 2);
    });
    const r = await skiff(["describe", "pod", "web-1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+web-1$/m);
    expect(r.stdout).toMatch(/^Namespace:\s+default$/m);
    expect(r.stdout).toMatch(/^Labels:\s+app=web$/m);
    expect(r.stdout).toMatch(/^Containers:$/m);
    expect(r.stdout).toMatch(/^\s+Image:\s+busybox:1$/m);
    expect(r.stdout).toMatch(/^Events:$/m);
    expect(r.stdout).toMatch(/Warning\s+TestReason\s+\S+ \(x2 over \S+\)\s+cli-test\s+something noteworthy/);
    const missing = await skiff(["describe", "pod", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });

  test("get -w prints rows as objects change", async () => {
    const proc = Bun.spawn([process.execPath, join(repo, "src/main.ts"), "get", "configmaps", "-n", "watched", "-w"], {
      cwd: dir,
      env: { ...process.env, KUBECONFIG: kubeconfig, SKIFF_LOG_LEVEL: "error" },
      stdout: "pipe",
      stderr: "pipe",
    });
    let seen = "";
    const reader = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stdout) seen += decoder.decode(chunk);
    })();
    try {
      await server.client.create({ group: "", version: "v1", plural: "namespaces", namespaced: false, kind: "Namespace" }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "watched" } });
      // The watch may start after the first create; keep creating until a row shows up.
      let n = 0;
      await waitFor("a watched row", async () => {
        await server.client.create<KubeObject>(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `w-${n++}`, namespace: "watched" } });
        return /^w-\d+\s+0\s+\d+s$/m.test(seen);
      });
      expect(seen).toMatch(/^NAME\s+DATA\s+AGE$/m);
    } finally {
      proc.kill();
      await proc.exited;
      await reader;
    }
  });

  test("delete by name, by -f, by -l; missing objects are errors unless --ignore-not-found", async () => {
    const r = await skiff(["delete", "pod", "web-2", "--grace-period", "0"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe('pod "web-2" deleted\n');
    const again = await skiff(["delete", "pod", "web-2"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('Error from server (NotFound): pods "web-2" not found\n');
    expect((await skiff(["delete", "pod", "web-2", "--ignore-not-found"])).code).toBe(0);

    const viaFile = await skiff(["delete", "-f", join(dir, "cm.yaml")]);
    expect(viaFile.stdout).toBe('configmap "settings" deleted\n');

    const bySelector = await skiff(["delete", "pods", "-l", "app=db", "--wait", "--timeout", "10"]);
    expect(bySelector.stdout).toBe('pod "db-1" deleted\n');
    expect((await skiff(["get", "pods", "-l", "app=db", "-o", "name"])).stdout).toBe("");

    const noName = await skiff(["delete", "pods"]);
    expect(noName.code).toBe(1);
    expect(noName.stderr).toStartWith("error: resource(s) were provided, but no name was specified");
  });

  test("cordon, uncordon and drain a node", async () => {
    const nodes = { group: "", version: "v1", plural: "nodes", namespaced: false, kind: "Node" };
    await server.client.create(nodes, { apiVersion: "v1", kind: "Node", metadata: { name: "maint-1", labels: { pool: "maint" } } });
    expect((await skiff(["cordon", "maint-1"])).stdout).toBe("node/maint-1 cordoned\n");
    expect((await skiff(["cordon", "-l", "pool=maint"])).stdout).toBe("node/maint-1 already cordoned\n");
    expect((await skiff(["uncordon", "maint-1"])).stdout).toBe("node/maint-1 uncordoned\n");
    expect((await server.client.get<KubeObject>(nodes, undefined, "maint-1")).spec).not.toMatchObject({ unschedulable: true });

    await skiff(["create", "-f", write("bare.yaml", podYaml("bare-1", "busybox:1", "app: bare"))]);
    await server.client.bind("default", "bare-1", "maint-1");
    const refused = await skiff(["drain", "maint-1"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("node/maint-1 cordoned\n");
    expect(refused.stderr).toBe('error: unable to drain node "maint-1" due to error: cannot delete Pods that declare no controller (use --force to override): default/bare-1\n');
    const drained = await skiff(["drain", "maint-1", "--force", "--grace-period", "0", "--timeout", "10s"]);
    expect(drained.stderr).toBe("");
    expect(drained.stdout).toBe("node/maint-1 already cordoned\npod/bare-1 evicted\nnode/maint-1 drained\n");
    expect((await skiff(["get", "pod", "bare-1"])).code).toBe(1);
  });

  test("api-resources and api-versions read the server's discovery", async () => {
    const r = await skiff(["api-resources"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/m);
    expect(r.stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(r.stdout).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
    expect(r.stdout).not.toContain("pods/status");
    const clusterScoped = await skiff(["api-resources", "--namespaced=false", "-o", "name"]);
    expect(clusterScoped.stdout.split("\n")).toContain("nodes");
    expect(clusterScoped.stdout.split("\n")).not.toContain("pods");
    const versions = (await skiff(["api-versions"])).stdout.split("\n");
    expect(versions).toContain("v1");
    expect(versions).toContain("apps/v1");
  });

  test("get --raw", async () => {
    const r = await skiff(["get", "--raw", "/api/v1/namespaces/default"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metadata.name).toBe("default");
  });

  test("an unreachable server is one line and exit 1", async () => {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = probe.port;
    probe.stop(true);
    const r = await skiff(["get", "pods", "--server", `https://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith(`error: cannot reach the API server at https://127.0.0.1:${port}`);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test("a wrong token is Unauthorized", async () => {
    const r = await skiff(["get", "pods", "--token", "wrong"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith("Error from server (Unauthorized)");
  });
});

describe("TLS", () => {
  function kubeconfigWith(cluster: Record<string, unknown>): string {
    const doc = Bun.YAML.parse(readFileSync(kubeconfig, "utf8")) as { clusters: { cluster: Record<string, unknown> }[] };
    doc.clusters[0].cluster = cluster;
    return write(`kc-${Object.keys(cluster).join("-")}.yaml`, JSON.stringify(doc));
  }

  test("a server whose certificate the kubeconfig's CA did not sign is refused, in one line", async () => {
    const path = kubeconfigWith({ server: server.url });
    const r = await skiff(["get", "pods", "--kubeconfig", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith(`error: cannot reach the API server at ${server.url}: TLS verification failed`);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test("insecure-skip-tls-verify connects anyway", async () => {
    const path = kubeconfigWith({ server: server.url, "insecure-skip-tls-verify": true });
    const r = await skiff(["get", "ns", "default", "-o", "name", "--kubeconfig", path]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("namespace/default\n");
  });
});
