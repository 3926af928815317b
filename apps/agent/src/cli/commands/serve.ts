/**
 * The agent itself: creates the engine (sandbox by default), starts the server, prints the URL
 * and runs until SIGINT or SIGTERM, when it closes the server and the engine (in sandbox mode
 * the lab vanishes with it).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { integerOption, parseCommandArgs, positionals } from '../args';
import { removeAgentUrl, stateDirectory, writeAgentUrl } from '../agent-url';
import type { Command } from '../command';
import { CliError, EXIT, UsageError, type Io } from '../io';
import { openBrowser } from '../open-browser';

export const DEFAULT_PORT = 7878;

/**
 * apps/web/dist: the nearest `web/dist` above this module, which works from the source
 * (src/cli/commands) and from the bundle (dist/, dist/chunks/) alike.
 */
function defaultWebRoot(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'web', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  // Not built: the server answers with a page that says how to build it.
  return path.resolve(start, '..', '..', 'web', 'dist');
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

function hostModeWarning(io: Io): void {
  const lines = [
    "HOST MODE: labs are built on this machine's real network, not in a sandbox.",
    'Namespaces, links, routes and NAT rules change the host itself, as root.',
    'Everything netns-lab creates is tagged and journaled; `netns-lab destroy`',
    'removes exactly that, even after a crash. Without --host nothing touches the host.',
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const bar = '!'.repeat(width + 6);
  io.warn(bar);
  for (const line of lines) io.warn(`!! ${line.padEnd(width)} !!`);
  io.warn(bar);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start the agent and the web app (the default command)',
  help: `Usage: netns-lab [serve] [--port N] [--no-open] [--host] [--state-dir DIR]

Starts the agent: it builds labs on the real kernel inside a private sandbox (a network and
mount namespace of its own, in a user namespace when not root, so no sudo is needed) and
serves the web app. It prints the URL to open, which carries a one-time secret; the browser
swaps it for a cookie. The lab vanishes when the agent stops (Ctrl+C), even if it is killed.

  --port N         port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --no-open        do not open a browser
  --host           host mode: build labs on this machine's real network, as the seed's
                   commands do. Root only. Everything created is tagged and journaled so
                   that \`netns-lab destroy\` removes exactly that.
  --state-dir DIR  host mode: where the journal of created objects is kept
  --listen ADDR    listen on ADDR instead of 127.0.0.1; needs --allow-remote unless loopback
  --allow-remote   allow --listen beyond loopback (anyone who can reach it and learns the
                   token controls the lab; the connection is not encrypted)

Environment: NETNS_LAB_TOKEN (32+ characters) fixes the secret instead of a fresh one per
start, so that pages stay connected across a restart (for tests and scripted restarts).

The URL is also written to a file only you can read ($XDG_RUNTIME_DIR/netns-lab/url or
~/.netns-lab/url), where \`netns-lab status\`, \`apply\` and the other client commands find it.`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('serve', args, {
      port: { type: 'string', short: 'p' },
      host: { type: 'boolean' },
      'no-open': { type: 'boolean' },
      'state-dir': { type: 'string' },
      listen: { type: 'string' },
      'allow-remote': { type: 'boolean' },
    });
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    positionals('serve', given, []);
    const port = integerOption('serve', 'port', values.port, DEFAULT_PORT, 0, 65535);
    const mode = values.host === true ? 'host' : 'sandbox';
    if (mode === 'host') {
      if (process.getuid?.() !== 0) {
        throw new CliError(
          "host mode changes this machine's real network and needs root: " +
            'sudo netns-lab serve --host\n(without --host, the sandbox needs no root)',
        );
      }
      hostModeWarning(io);
    }

    const [{ createEngine }, { planBind, startServer }] = await Promise.all([
      import('../../engine/engine'),
      import('../../server/index'),
    ]);
    const listenOn = values.listen ?? '127.0.0.1';
    try {
      planBind(listenOn, values['allow-remote'] === true);
    } catch (error) {
      throw new UsageError(`${describe(error)} (--allow-remote)`, 'serve');
    }
    let engine;
    try {
      engine = await createEngine({
        mode,
        warmUp: true,
        ...(values['state-dir'] === undefined ? {} : { stateDir: values['state-dir'] }),
      });
    } catch (error) {
      throw new CliError(
        `could not start the ${mode === 'host' ? 'host mode' : 'sandbox'}: ${describe(error)}`,
      );
    }

    // A fixed token lets a restarted agent take back the pages that were open (tests, a
    // teacher's scripted restart). By default every start has a fresh one.
    const fixedToken = process.env['NETNS_LAB_TOKEN'];
    if (fixedToken !== undefined && !/^[A-Za-z0-9_-]{32,128}$/.test(fixedToken)) {
      await engine.close();
      throw new CliError(
        'NETNS_LAB_TOKEN must be 32 to 128 characters of A-Z, a-z, 0-9, "_" and "-"',
      );
    }
    let server;
    try {
      server = await startServer({
        engine,
        port,
        ...(fixedToken === undefined ? {} : { token: fixedToken }),
        host: listenOn,
        allowRemote: values['allow-remote'] === true,
        webRoot: defaultWebRoot(),
        log: (line) => io.warn(line),
      });
    } catch (error) {
      await engine.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError(
          `port ${port} is busy (another netns-lab, or another program, uses it); ` +
            'choose another with --port N, or --port 0 for any free port',
        );
      }
      throw new CliError(`could not start the server: ${describe(error)}`);
    }

    let urlFile: string | undefined;
    try {
      urlFile = await writeAgentUrl(io.env, server.url);
    } catch (error) {
      io.warn(`netns-lab: could not save the URL for the client commands: ${describe(error)}`);
    }
    const rootless = engine.info.rootless ? ' (rootless)' : '';
    io.print(`netns-lab is running in ${mode} mode${rootless}: open ${server.url}`);
    io.print(
      'Press Ctrl+C to stop.' + (mode === 'sandbox' ? ' The lab vanishes with the agent.' : ''),
    );
    for (const [name, tool] of Object.entries(engine.info.tools)) {
      if (tool.available) continue;
      io.warn(
        `netns-lab: ${name} is missing` +
          (tool.needed === undefined ? '' : `; without it: ${tool.needed}`) +
          (tool.install === undefined ? '' : `; install it with: ${tool.install}`),
      );
    }
    let launcher: string | undefined;
    if (values['no-open'] !== true) {
      const opened = await openBrowser(server.url, stateDirectory(io.env), io.env).catch(
        (error: unknown) => ({ opened: false as const, why: describe(error) }),
      );
      if (opened.opened) launcher = opened.launcher;
    }

    const running = { engine, server };
    return new Promise<number>((resolve) => {
      let stopping = false;
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          io.warn('netns-lab: stopping now');
          process.exit(EXIT.interrupted);
        }
        stopping = true;
        io.warn(`netns-lab: stopping (${signal})...`);
        void (async () => {
          if (urlFile !== undefined) await removeAgentUrl(urlFile, running.server.url);
          if (launcher !== undefined) await rm(launcher, { force: true });
          await running.server.close();
          await running.engine.close();
        })().then(
          () => {
            for (const s of signals) process.off(s, stop);
            resolve(EXIT.ok);
          },
          (error: unknown) => {
            io.warn(`netns-lab: stopping failed: ${describe(error)}`);
            resolve(EXIT.failed);
          },
        );
      };
      for (const signal of signals) process.on(signal, stop);
    });
  },
};
