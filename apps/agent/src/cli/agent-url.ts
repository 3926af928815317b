/**
 * The running agent's URL (with its token), kept in a file only its user can read, so that
 * `netns-lab status` and the other client commands find the agent without the token ever
 * appearing on a command line (which every user of the machine can see in `ps`).
 */
import { lstat, mkdir, open, readFile, rename, rm, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError } from './io';

export const URL_ENV = 'NETNS_LAB_URL';

/** $XDG_RUNTIME_DIR/netns-lab (a per-user tmpfs), else ~/.netns-lab. */
export function stateDirectory(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && path.isAbsolute(runtime)) return path.join(runtime, 'netns-lab');
  return path.join(homedir(), '.netns-lab');
}

export function urlFile(env: NodeJS.ProcessEnv): string {
  return path.join(stateDirectory(env), 'url');
}

/**
 * Makes the folder (mode 0700) and checks that it is a real folder of this user that nobody
 * else can read or write.
 */
export async function privateDirectory(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) {
    throw new Error(`${dir} is not a folder owned by this user`);
  }
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  return dir;
}

/** Writes `content` to `file` (mode 0600) atomically: readers never see half of it. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  await privateDirectory(path.dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

export async function writeAgentUrl(env: NodeJS.ProcessEnv, url: string): Promise<string> {
  const file = urlFile(env);
  await writePrivateFile(file, `${url}\n`);
  return file;
}

/** Removes the URL file if it still names this agent (another agent may have replaced it). */
export async function removeAgentUrl(file: string, url: string): Promise<void> {
  try {
    if ((await readFile(file, 'utf8')).trim() === url) await rm(file, { force: true });
  } catch {
    // Already gone.
  }
}

export interface AgentUrl {
  url: string;
  /** Where it came from, for error messages. */
  source: string;
}

/** --url, else $NETNS_LAB_URL, else the URL file the serve command wrote. */
export async function resolveAgentUrl(
  env: NodeJS.ProcessEnv,
  fromOption: string | undefined,
): Promise<AgentUrl> {
  if (fromOption !== undefined) return { url: fromOption, source: '--url' };
  const fromEnv = env[URL_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { url: fromEnv, source: `$${URL_ENV}` };
  const file = urlFile(env);
  try {
    const url = (await readFile(file, 'utf8')).trim();
    if (url !== '') return { url, source: file };
  } catch {
    // No file: no agent started by this user.
  }
  throw new CliError(
    'no running agent found: start one with `netns-lab serve` (in another terminal), or give ' +
      `its URL with --url URL or $${URL_ENV} (the URL it printed, with ?token=...)`,
  );
}
