// A panel bridge over a fresh store for unit tests: no page, no editor; what
// it posts to the page is collected in `posted`, and the page says `drawn` to
// each snapshot and delta (unless `deps.post` replaces it). `deps` adds to or replaces
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
  // A page that draws at once: it says so after each snapshot or delta, as the real one does after its frame.
  const drawn = (m: HostMessage) => {
    if (m.type === 'snapshot' || m.type === 'delta') queueMicrotask(() => void bridge.handle({ type: 'drawn' }));
  };
  const bridge: PanelBridge = new PanelBridge(store, {
    post: (m) => {
      posted.push(m);
      drawn(m);
    },
    openSite: async () => undefined,
    runCommand: () => undefined,
    ...deps,
  });
  return { store, posted, bridge };
}
