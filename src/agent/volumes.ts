// Volumes for host processes. Each volume is a directory on the node:
//   emptyDir   DATA/pods/<uid>/volumes/<name>        (removed with the pod)
//   hostPath   the host path itself
//   configMap, secret  DATA/pods/<uid>/volumes/<name> with one file per key,
//              rewritten when the object changes (only when it changes: edge
//              hosts run on flash)
// A process reaches a mount two ways (docs/agent.md): the variable
// SKIFF_VOLUME_<VOLUME NAME> holds the directory, and the pod's root directory
// (each container's default working dir) has a symlink at the mountPath, so
// `cat etc/config/key` works from the working dir.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import type { ConfigMap, Container, Pod, Secret, Volume } from "../api/types.ts";
import { envName } from "./env.ts";

export class VolumeError extends Error {}

export interface VolumeLookups {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

export interface ProjectedFile {
  data: Buffer;
  mode: number;
}

/** The files a configMap or secret volume holds: relative path → content. Undefined for other volume types. */
export function projectedFiles(volume: Volume, namespace: string, lk: VolumeLookups): Map<string, ProjectedFile> | undefined {
  let data: Record<string, Buffer>;
  let items: { key: string; path: string; mode?: number }[] | undefined;
  let defaultMode: number;
  if (volume.configMap) {
    const src = volume.configMap;
    const cm = lk.configMap(namespace, src.name);
    if (!cm && !src.optional) throw new VolumeError(`configmap "${src.name}" not found`);
    data = {};
    for (const [k, v] of Object.entries(cm?.data ?? {})) data[k] = Buffer.from(v, "utf8");
    for (const [k, v] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(v, "base64");
    items = src.items;
    defaultMode = src.defaultMode ?? 0o644;
  } else if (volume.secret) {
    const src = volume.secret;
    const s = lk.secret(namespace, src.secretName);
    if (!s && !src.optional) throw new VolumeError(`secret "${src.secretName}" not found`);
    data = {};
    for (const [k, v] of Object.entries(s?.data ?? {})) data[k] = Buffer.from(v, "base64");
    items = src.items;
    defaultMode = src.defaultMode ?? 0o644;
  } else {
    return undefined;
  }
  const out = new Map<string, ProjectedFile>();
  const list: { key: string; path: string; mode?: number }[] = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of list) {
    const content = data[item.key];
    if (content === undefined) throw new VolumeError(`volume "${volume.name}": key ${item.key} not found`);
    const path = normalize(item.path);
    if (path.startsWith("..") || path.startsWith("/")) throw new VolumeError(`volume "${volume.name}": invalid item path ${item.path}`);
    out.set(path, { data: content, mode: item.mode ?? defaultMode });
  }
  return out;
}

function sameContent(path: string, data: Buffer): boolean {
  try {
    return readFileSync(path).equals(data);
  } catch {
    return false;
  }
}

function walkFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walkFiles(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

/** Make `dir` hold exactly `files`; returns whether anything was written. */
export function syncFiles(dir: string, files: Map<string, ProjectedFile>): boolean {
  mkdirSync(dir, { recursive: true });
  let changed = false;
  for (const [rel, f] of files) {
    const path = join(dir, rel);
    if (sameContent(path, f.data)) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path + ".skiff-tmp", f.data, { mode: f.mode });
    chmodSync(path + ".skiff-tmp", f.mode);
    renameSync(path + ".skiff-tmp", path);
    changed = true;
  }
  for (const rel of walkFiles(dir)) {
    if (files.has(rel)) continue;
    rmSync(join(dir, rel), { force: true });
    changed = true;
  }
  return changed;
}

export function podDirs(dataDir: string, podUid: string): { pod: string; root: string; volumes: string } {
  const pod = join(dataDir, "pods", podUid);
  return { pod, root: join(pod, "root"), volumes: join(pod, "volumes") };
}

/** Volume name → directory on the host, as prepareVolumes lays them out (nothing is written). */
export function existingVolumePaths(pod: Pod, dataDir: string): Map<string, string> {
  const dirs = podDirs(dataDir, pod.metadata.uid ?? "");
  return new Map((pod.spec.volumes ?? []).map((v) => [v.name, v.hostPath ? v.hostPath.path : join(dirs.volumes, v.name)]));
}

/** Create or refresh every volume of the pod; returns volume name → directory on the host. */
export function prepareVolumes(pod: Pod, dataDir: string, lk: VolumeLookups): Map<string, string> {
  const dirs = podDirs(dataDir, pod.metadata.uid ?? "");
  const ns = pod.metadata.namespace ?? "default";
  const paths = new Map<string, string>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.hostPath) {
      const type = v.hostPath.type ?? "";
      if (type === "DirectoryOrCreate") mkdirSync(v.hostPath.path, { recursive: true });
      else if (type === "Directory" && !existsSync(v.hostPath.path)) throw new VolumeError(`hostPath ${v.hostPath.path} is not a directory`);
      paths.set(v.name, v.hostPath.path);
      continue;
    }
    const dir = join(dirs.volumes, v.name);
    const files = projectedFiles(v, ns, lk);
    if (files) syncFiles(dir, files);
    else mkdirSync(dir, { recursive: true });
    paths.set(v.name, dir);
  }
  return paths;
}

function ensureSymlink(link: string, target: string): void {
  try {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) return;
    rmSync(link, { recursive: true, force: true });
  } catch {
    // Not there yet.
  }
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(target, link);
}

/**
 * Link the container's mounts into the pod root and name them in the environment.
 * Returns the variables to add (SKIFF_VOLUME_<NAME>).
 */
export function mountVolumes(container: Container, root: string, paths: Map<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of container.volumeMounts ?? []) {
    const base = paths.get(m.name);
    if (base === undefined) throw new VolumeError(`volumeMount ${m.name} refers to no volume of the pod`);
    const target = m.subPath ? join(base, normalize(m.subPath)) : base;
    const rel = normalize(m.mountPath).replace(/^\/+/, "");
    if (rel && !rel.startsWith("..")) ensureSymlink(join(root, rel), target);
    env[`SKIFF_VOLUME_${envName(m.name)}`] = base;
  }
  return env;
}
