// Entry point of the status window: pick the bridge (Electron preload or browser-mode HTTP),
// build the models around it, mount the app.

import { mount } from 'svelte';
import App from './App.svelte';
import Unavailable from './components/Unavailable.svelte';
import { selectBridge } from './lib/bridge/select-bridge.js';
import { createModels } from './lib/context.js';
import './styles/tokens.css';
import './styles/app.css';

const target = document.getElementById('app');
if (target !== null) {
  const choice = selectBridge(window);
  if (choice.kind === 'none') mount(Unavailable, { target, props: { reason: choice.reason } });
  else mount(App, { target, props: { models: createModels(choice.bridge) } });
}
