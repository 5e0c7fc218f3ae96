// Reading /proc: a pid alone is not an identity (pids are reused), so a process
// is named by its pid plus its start time (field 22 of /proc/PID/stat).
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  state: string;
  /** Process group id. */
  pgrp: number;
  startTime: number;
}

/** Parse the text of /proc/PID/stat. The command name may contain spaces and parentheses, so fields are counted after the last ")". */
export function parseProcStat(text: string): ProcStat | undefined {
  const end = text.lastIndexOf(")");
  if (end < 0) return undefined;
  const fields = text.slice(end + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); field 5 (pgrp) is fields[2]; field 22 (starttime) is fields[19].
  const startTime = Number(fields[19]);
  const pgrp = Number(fields[2]);
  if (!fields[0] || !Number.isFinite(startTime) || !Number.isFinite(pgrp)) return undefined;
  return { state: fields[0], pgrp, startTime };
}

export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** True when the process with this pid and start time still runs (zombies count as gone). */
export function isAlive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== "Z" && stat.state !== "X";
}

/**
 * True while any live process of the group is left. kill(-pgid, 0) is not
 * enough: it also succeeds for zombies that wait for init to reap them.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") return true;
  }
  return false;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone: nothing to signal.
  }
}
