/**
 * Opens the web app in the user's browser without putting the token on a command line (every
 * user can read command lines in `ps`, and a freshly started browser keeps its arguments for
 * its whole life): the browser gets a 0600 file that refreshes itself to the URL instead.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { writePrivateFile } from './agent-url';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type OpenResult = { opened: true; launcher: string } | { opened: false; why: string };

export async function openBrowser(
  url: string,
  directory: string,
  env: NodeJS.ProcessEnv,
): Promise<OpenResult> {
  if (process.getuid?.() === 0) {
    return { opened: false, why: 'a browser is not started as root' };
  }
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { opened: false, why: 'no graphical session' };
  }
  const launcher = path.join(directory, 'open.html');
  await writePrivateFile(
    launcher,
    '<!doctype html><meta charset="utf-8">' +
      `<meta http-equiv="refresh" content="0;url=${escapeHtml(url)}">` +
      `<title>netns-lab</title><a href="${escapeHtml(url)}">Open netns-lab</a>\n`,
  );
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(opener, [launcher], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve({ opened: false, why: `${opener} is not available` }));
    child.once('spawn', () => {
      child.unref();
      resolve({ opened: true, launcher });
    });
  });
}
