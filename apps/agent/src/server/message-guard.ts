/**
 * Checks the protocol schema leaves to the receiver: a namespace name must follow the kernel's
 * rules and an address must be an address. Failing messages never reach the engine; passing
 * ones reach it with addresses in canonical form, as they will appear in an argv.
 */
import {
  canonicalIp,
  checkKernelName,
  describeNameProblem,
  parseIp,
  type ClientMessage,
} from '@netns-lab/model';

export type GuardResult =
  { ok: true; message: ClientMessage } | { ok: false; path: string; message: string };

function nameProblem(ns: string, path: string): GuardResult | null {
  const problem = checkKernelName(ns);
  return problem === null
    ? null
    : { ok: false, path, message: `${path}: ${describeNameProblem(ns, problem)}` };
}

function addressProblem(text: string, path: string): GuardResult | null {
  return parseIp(text) === null
    ? {
        ok: false,
        path,
        message: `${path}: ${JSON.stringify(text)} is not an IP address (e.g. 192.168.15.2)`,
      }
    : null;
}

export function guardClientMessage(message: ClientMessage): GuardResult {
  switch (message.type) {
    case 'ping':
    case 'tracepath':
      return (
        nameProblem(message.ns, 'ns') ??
        addressProblem(message.target, 'target') ?? {
          ok: true,
          message: { ...message, target: canonicalIp(message.target) },
        }
      );
    case 'route-get':
      return (
        nameProblem(message.ns, 'ns') ??
        addressProblem(message.address, 'address') ?? {
          ok: true,
          message: { ...message, address: canonicalIp(message.address) },
        }
      );
    case 'refresh':
      return (
        (message.ns === undefined ? null : nameProblem(message.ns, 'ns')) ?? {
          ok: true,
          message,
        }
      );
    case 'apply':
    case 'apply-patch':
    case 'destroy':
    case 'cancel':
      // A lab's names and addresses are the engine's to validate (it answers invalid-lab with
      // every finding, not just the first).
      return { ok: true, message };
  }
}
