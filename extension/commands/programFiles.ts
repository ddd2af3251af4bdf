// Which Python files are programs: the Run File picker offers them first,
// and the modules they import (helpers, conftest.py, __init__.py) after,
// under a line of their own. Read from the file's text, never by running it.

/** `if __name__ == "__main__":` (either way round, either quote). */
const MAIN_BLOCK = /^if\s+(?:__name__\s*==\s*(['"])__main__\1|(['"])__main__\2\s*==\s*__name__)\s*:/m;
/** An event loop run at the top level: `trio.run(main)`, `asyncio.run(main())`, `anyio.run(main)`, `uvloop.run(…)`. */
const TOP_LEVEL_RUN = /^(?:trio|asyncio|anyio|uvloop)\.run\s*\(/m;
/** Files this large are read no further (a program says so near its end, but not in megabytes of data). */
export const MOST_READ = 512 * 1024;

/** Whether `text` (the file `name`'s) is a program someone runs, rather than a module it imports. */
export function looksLikeProgram(name: string, text: string): boolean {
  if (name === '__main__.py') return true;
  return MAIN_BLOCK.test(text) || TOP_LEVEL_RUN.test(text);
}

export interface Offered<T> {
  label: string;
  /** The folder, relative to the workspace ('' at its top). */
  description: string;
  program: boolean;
  value: T;
}

/** Programs first, then the rest; each part by folder, then by name. */
export function inPickerOrder<T>(files: readonly Offered<T>[]): { programs: Offered<T>[]; others: Offered<T>[] } {
  const sorted = [...files].sort(
    (a, b) => a.description.localeCompare(b.description) || a.label.localeCompare(b.label),
  );
  return { programs: sorted.filter((f) => f.program), others: sorted.filter((f) => !f.program) };
}

/** Runs `work` over `items`, at most `width` at once (reading 2,000 files at once would hold as many handles). */
export async function eachAtMost<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}
