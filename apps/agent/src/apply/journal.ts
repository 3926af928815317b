/**
 * What netns-lab has built, kept so that a restarted agent knows what is its own. In host mode
 * it is a file (written before each apply, so a crash mid-apply is recoverable); in sandbox
 * mode the lab dies with the agent and memory is enough.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabSchema, type Lab } from '@netns-lab/model';

export interface JournalRecord {
  /** The last lab applied in full. */
  applied: Lab | null;
  /** A lab whose apply started and had not finished (a crash leaves it here). */
  pending: Lab | null;
  /**
   * Host mode: the real host's net.ipv4.ip_forward before netns-lab first turned it on (null:
   * netns-lab has not turned it on). When it was already on, tearing the lab down leaves it on.
   */
  hostForwardBefore?: boolean | null;
}

export interface Journal {
  read(): JournalRecord;
  /** Replaces the fields given; the others stay. */
  write(record: Partial<JournalRecord>): Promise<void>;
}

export function memoryJournal(): Journal {
  let record: JournalRecord = { applied: null, pending: null };
  return {
    read: () => record,
    write: async (next) => {
      record = { ...record, ...next };
    },
  };
}

/** A journal file; written atomically (write then rename). */
export async function fileJournal(path: string): Promise<Journal> {
  let record: JournalRecord = { applied: null, pending: null };
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as {
      applied?: unknown;
      pending?: unknown;
      hostForwardBefore?: unknown;
    };
    const parse = (v: unknown): Lab | null => {
      const r = LabSchema.safeParse(v);
      return r.success ? r.data : null;
    };
    record = {
      applied: parse(data.applied),
      pending: parse(data.pending),
      hostForwardBefore:
        typeof data.hostForwardBefore === 'boolean' ? data.hostForwardBefore : null,
    };
  } catch {
    // No journal yet (or unreadable): nothing of ours is known to be there.
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  return {
    read: () => record,
    write: async (next) => {
      record = { ...record, ...next };
      const tmp = `${path}.tmp`;
      await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      await rename(tmp, path);
    },
  };
}
