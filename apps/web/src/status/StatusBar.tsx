/**
 * The status bar: whether the agent is there (and what to do when it is not), its mode, the
 * tools it lacks with how to install them, and the lab's findings at a glance.
 */
import { useEffect, useState } from 'react';
import { agentClient } from '../agent/client';
import { issueSummary } from '../common/IssueMark';
import { useValidation } from '../hooks';
import { useApp } from '../store/store';

function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function ConnectionStatus() {
  const connection = useApp((s) => s.connection);
  const seconds = useSecondsUntil(connection.status === 'connected' ? null : connection.retryAt);
  const retry = seconds !== null && seconds > 0 ? ` (retrying in ${seconds} s)` : '';
  switch (connection.status) {
    case 'connecting':
      return <span className="conn conn-connecting">Connecting to the agent…</span>;
    case 'connected':
      return <span className="conn conn-connected">Agent connected</span>;
    case 'reconnecting':
      return (
        <span className="conn conn-reconnecting">
          Agent connection lost: reconnecting (attempt {connection.attempt})…
        </span>
      );
    case 'unreachable':
      return (
        <span className="conn conn-unreachable">
          Agent unreachable: start it with <code>npx netns-lab</code>
          {retry}. You can still draw, check and export labs.{' '}
          <button type="button" className="link-button" onClick={() => agentClient()?.retryNow()}>
            Retry now
          </button>
        </span>
      );
  }
}

export function StatusBar() {
  const hello = useApp((s) => s.hello);
  const connected = useApp((s) => s.connection.status === 'connected');
  const lab = useApp((s) => s.lab);
  const validation = useValidation();
  const missing = hello ? Object.entries(hello.tools).filter(([, tool]) => !tool.available) : [];
  const findings = issueSummary(validation.issues);
  return (
    <footer className="statusbar" role="contentinfo">
      <span role="status" className="status-connection">
        <ConnectionStatus />
      </span>
      {hello && connected ? (
        <span className="status-item">
          Mode: {hello.mode}
          {hello.rootless ? ', rootless' : ''}
        </span>
      ) : null}
      {connected && missing.length > 0 ? (
        <span className="status-item status-missing">
          Missing:{' '}
          {missing.map(([name, tool], k) => (
            <span key={name} title={tool.needed ?? ''}>
              {k > 0 ? '; ' : ''}
              {name}
              {tool.install ? (
                <>
                  {' '}
                  (install: <code>{tool.install}</code>)
                </>
              ) : null}
            </span>
          ))}
        </span>
      ) : null}
      <span className="status-spacer" />
      <span className="status-item">
        {lab.nodes.length - 1} node{lab.nodes.length === 2 ? '' : 's'} and the host,{' '}
        {lab.links.length} cable{lab.links.length === 1 ? '' : 's'}
      </span>
      <span className={`status-item ${validation.ok ? '' : 'status-errors'}`}>
        {findings || 'No problems found'}
      </span>
    </footer>
  );
}
