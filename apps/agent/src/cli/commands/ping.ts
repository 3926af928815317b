import { randomUUID } from 'node:crypto';
import { parseIp } from '@netns-lab/model';
import { integerOption, parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { EXIT, UsageError } from '../io';
import { openSession, URL_HELP } from '../session';

export const pingCommand: Command = {
  name: 'ping',
  summary: 'ping an address from a namespace, streaming each reply',
  help: `Usage: netns-lab ping NS ADDRESS [-c COUNT] [-i MS] [--url URL]

Pings ADDRESS (an IP address) from namespace NS (the lab's root namespace is "host") through
the running agent, printing each reply or loss as it happens, then the summary. Ctrl+C stops
early and still prints the summary.

  -c, --count COUNT   packets to send, 1 to 100 (default 4)
  -i, --interval MS   milliseconds between packets, 200 to 5000 (default 1000)

Exit status: 0 when at least one reply came back, 1 otherwise.

${URL_HELP}`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('ping', args, {
      url: { type: 'string' },
      count: { type: 'string', short: 'c' },
      interval: { type: 'string', short: 'i' },
    });
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    const [ns = '', target = ''] = positionals('ping', given, ['NS', 'ADDRESS']);
    if (parseIp(target) === null) {
      throw new UsageError(
        `${JSON.stringify(target)} is not an IP address (e.g. 192.168.15.2)`,
        'ping',
      );
    }
    const count = integerOption('ping', 'count', values.count, 4, 1, 100);
    const intervalMs = integerOption('ping', 'interval', values.interval, 1000, 200, 5000);
    const session = await openSession(io, values.url);
    const requestId = `cli-${randomUUID()}`;
    let interrupted = false;
    const onInterrupt = (): void => {
      if (interrupted) process.exit(EXIT.interrupted);
      interrupted = true;
      session.send({ type: 'cancel', requestId });
    };
    process.on('SIGINT', onInterrupt);
    try {
      io.print(`PING ${target} from ${ns}: ${count} packet${count === 1 ? '' : 's'}`);
      const result = session.follow((message) => {
        if (!('requestId' in message) || message.requestId !== requestId) return undefined;
        switch (message.type) {
          case 'ping-reply':
            io.print(
              `reply from ${message.from}: seq=${message.seq} ttl=${message.ttl} time=${message.timeMs} ms`,
            );
            return undefined;
          case 'ping-loss':
            io.print(
              `no reply: seq=${message.seq}${message.message ? ` (${message.message})` : ''}`,
            );
            return undefined;
          case 'ping-done': {
            const loss =
              message.transmitted === 0
                ? 100
                : Math.round(
                    (100 * (message.transmitted - message.received)) / message.transmitted,
                  );
            io.print(`--- ${target} ping statistics (from ${ns}) ---`);
            io.print(
              `${message.transmitted} transmitted, ${message.received} received, ${loss}% packet loss` +
                (message.cancelled === true ? ' (stopped)' : ''),
            );
            if (message.rtt !== undefined) {
              const { min, avg, max } = message.rtt;
              io.print(`rtt min/avg/max = ${min}/${avg}/${max} ms`);
            }
            if (message.error !== undefined) io.warn(`ping failed: ${message.error}`);
            return message.received > 0 ? EXIT.ok : EXIT.failed;
          }
          case 'error':
            io.warn(`the agent refused the ping: ${message.message}`);
            return EXIT.failed;
          default:
            return undefined;
        }
      }, 'the agent went away during the ping');
      session.send({ type: 'ping', requestId, ns, target, count, intervalMs });
      return await result;
    } finally {
      process.off('SIGINT', onInterrupt);
      session.close();
    }
  },
};
