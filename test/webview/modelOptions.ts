// Model options for Node tests of the model: everything open (no panel
// budget), nothing chosen, the page's fold threshold and page size.
import type { ModelOptions } from '../../webview/tree/model';

export const opts = (o: Partial<ModelOptions> = {}): ModelOptions => ({
  hideSystem: true,
  hideFinished: false,
  search: '',
  collapsed: new Set(),
  opened: new Set(),
  deep: new Set(),
  pages: new Map(),
  foldThreshold: 20,
  pageSize: 50,
  budget: null,
  focus: null,
  selected: null,
  ...o,
});
