// A panel bridge over a fresh store for unit tests: no page, no editor; what
// it posts to the page is collected in `posted`. `deps` adds to or replaces
// the quiet defaults (focus, settings, a clock).
import type { HostMessage } from '../../contract/messages';
import { PanelBridge, type BridgeDeps } from '../../extension/panel/panelBridge';
import { RunStore } from '../../extension/store/runStore';

export function bridgeOnStore(deps: Partial<BridgeDeps> = {}): {
  store: RunStore;
  posted: HostMessage[];
  bridge: PanelBridge;
} {
  const store = new RunStore();
  const posted: HostMessage[] = [];
  const bridge = new PanelBridge(store, {
    post: (m) => posted.push(m),
    openSite: async () => undefined,
    runCommand: () => undefined,
    ...deps,
  });
  return { store, posted, bridge };
}
