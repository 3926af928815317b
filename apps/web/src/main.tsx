import '@xyflow/react/dist/style.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AgentClient, agentUrl, setAgentClient } from './agent/client';
import { App } from './App';
import { restoreLab, startAutosave } from './store/autosave';
import { appStore } from './store/store';

restoreLab(appStore, window.localStorage);
startAutosave(appStore, window.localStorage);

const client = new AgentClient({ url: agentUrl(window.location), store: appStore });
setAgentClient(client);
client.start();
window.addEventListener('pagehide', () => client.stop());
window.addEventListener('pageshow', (event) => {
  if (event.persisted) client.start();
});

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
