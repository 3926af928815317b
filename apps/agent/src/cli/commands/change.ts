/** apply and destroy: send the request, print each step as the agent runs it, then the result. */
import { randomUUID } from 'node:crypto';
import type { Lab, PlannedStep, ServerMessage } from '@netns-lab/model';
import type { AgentSession } from '../client';
import { EXIT, type Io } from '../io';

type Done = Extract<ServerMessage, { type: 'apply-done' }>;

function printDone(done: Done, kind: 'apply' | 'destroy', io: Io): void {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 'es'}`;
  if (done.ok) {
    if (done.commandsRun === 0) {
      io.print(
        kind === 'apply'
          ? 'nothing to change: the kernel already holds this lab'
          : 'nothing to destroy',
      );
      return;
    }
    io.print(
      `${kind === 'apply' ? 'applied' : 'destroyed'}: ${done.commandsRun} command${done.commandsRun === 1 ? '' : 's'} ` +
        `in ${plural(done.processes, 'process')}, ${Math.round(done.durationMs)} ms`,
    );
    return;
  }
  const failure = done.failure;
  if (failure === undefined) {
    io.print(`${kind} failed`);
  } else {
    io.print(`${kind} failed at step ${failure.index + 1}: ${failure.message}`);
    io.print(`  command: ${failure.argv.join(' ')}`);
    if (failure.stderr.trim() !== '') io.print(`  stderr:  ${failure.stderr.trim()}`);
    const where = [failure.target.path, failure.target.nodeId, failure.target.linkId].find(
      (part) => part !== undefined,
    );
    if (where !== undefined) io.print(`  element: ${where}`);
  }
  if (done.rolledBack === true) io.print('the agent rolled back to the last good lab');
}

export async function runChange(
  session: AgentSession,
  request: { type: 'apply'; lab: Lab } | { type: 'destroy' },
  io: Io,
): Promise<number> {
  const requestId = `cli-${randomUUID()}`;
  let applyId: string | undefined;
  let steps: PlannedStep[] = [];
  const result = session.follow((message) => {
    switch (message.type) {
      case 'apply-started':
        if (message.requestId !== requestId) return undefined;
        applyId = message.applyId;
        steps = message.steps;
        io.print(
          `${request.type === 'apply' ? 'applying' : 'destroying'}: ${steps.length} step${steps.length === 1 ? '' : 's'}`,
        );
        return undefined;
      case 'apply-step': {
        if (applyId === undefined || message.applyId !== applyId) return undefined;
        // Steps are numbered by their place in the plan the agent announced.
        const position = steps.findIndex((step) => step.index === message.index);
        const n = position >= 0 ? position + 1 : message.index + 1;
        const status = message.status === 'ok' ? 'ok    ' : 'FAILED';
        io.print(`[${n}/${message.total}] ${status} ${message.argv.join(' ')}`);
        return undefined;
      }
      case 'apply-done':
        if (
          message.requestId !== requestId &&
          (applyId === undefined || message.applyId !== applyId)
        ) {
          return undefined;
        }
        printDone(message, request.type, io);
        return message.ok ? EXIT.ok : EXIT.failed;
      case 'error':
        if (message.requestId !== requestId) return undefined;
        io.warn(`the agent refused the ${request.type}: ${message.message}`);
        for (const issue of message.issues ?? []) {
          io.warn(`  ${issue.code} at ${issue.path || '(the lab)'}: ${issue.message}`);
        }
        return EXIT.failed;
      default:
        return undefined;
    }
  }, `the agent went away before the ${request.type} finished`);
  session.send(
    request.type === 'apply' ? { ...request, requestId } : { type: 'destroy', requestId },
  );
  return result;
}
