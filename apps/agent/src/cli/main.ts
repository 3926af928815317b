/** The netns-lab command (bundled to apps/agent/dist/netns-lab.mjs). */
import { runCli } from './run';

// `netns-lab tables red | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Everything is closed by now and the process should end by itself; if a stray handle keeps it
// alive, it still ends (the timer does not keep it alive on its own).
setTimeout(() => process.exit(code), 2000).unref();
