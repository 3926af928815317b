/**
 * Where the agent listens. Loopback only unless the caller explicitly allows more: Node's own
 * inspector once listened on every interface by default (CVE-2018-12120).
 */
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface BindPlan {
  /** Addresses to listen on: the first must succeed, the others are best effort (::1). */
  addresses: string[];
  /** The hostname the printed URL uses. */
  urlHost: string;
  /** True when the agent listens beyond loopback. */
  remote: boolean;
  /** Host names (IPv6 in brackets) to allow besides loopback, when remote. */
  extraHostnames: string[];
}

const bracket = (address: string): string => (isIP(address) === 6 ? `[${address}]` : address);

export function planBind(host: string, allowRemote: boolean): BindPlan {
  if (host === '127.0.0.1' || host === 'localhost') {
    return {
      addresses: ['127.0.0.1', '::1'],
      urlHost: '127.0.0.1',
      remote: false,
      extraHostnames: [],
    };
  }
  if (host === '::1') {
    return { addresses: ['::1'], urlHost: '[::1]', remote: false, extraHostnames: [] };
  }
  if (!allowRemote) {
    throw new Error(
      `refusing to listen on ${host}: the agent controls this machine's network, so it ` +
        'listens on 127.0.0.1 only unless remote access is explicitly allowed',
    );
  }
  if (isIP(host) === 0) throw new Error(`give an IP address to listen on, not ${host}`);
  const wildcard = host === '0.0.0.0' || host === '::';
  const extra = wildcard
    ? Object.values(networkInterfaces())
        .flatMap((infos) => infos ?? [])
        .filter((info) => !info.internal)
        .map((info) => bracket(info.address))
    : [bracket(host)];
  return {
    addresses: [host],
    urlHost: wildcard ? '127.0.0.1' : bracket(host),
    remote: true,
    extraHostnames: extra,
  };
}

export function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port, host: address, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
