// Entry of the task-tree webview: acquire the VS Code API once, build the
// page, forward host messages, and say `ready` so the host sends a snapshot.
import type { HostMessage } from '../contract/messages';
import { App, type VsCodeApi } from './app';
import './styles.css';
import './waits.css';
import './debugMarks.css';

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
const app = new App(root, api);
window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  if (m && typeof m === 'object' && typeof m.type === 'string') app.receive(m);
});
api.postMessage({ type: 'ready' });
