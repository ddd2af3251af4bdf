// One shared object per distinct site and one string per distinct task name.
// Why: a row lives for thousands of events (retention), so whatever it points
// at survives the young-generation GC and gets copied, then promoted, then
// collected by a full GC. Parsed sites and names repeat endlessly (a program
// has few spawn points), so pointing rows at the first copy lets every later
// parsed copy die young. Measured: most of the ingest path's GC time was the
// scavenger copying these per-event sites and names.
import type { Site } from '../../contract/rows';

/** Distinct entries kept per table; past that, values are used as parsed (a hostile stream must not grow us without bound). */
export const MAX_INTERNED = 8192;

export class SiteTable {
  /** file → line → the site of that line (the usual case: one function per line). */
  private readonly byFile = new Map<string, Map<number, Site>>();
  /** Sites whose line already holds a site of another function (rare: lambdas, one-liners). */
  private readonly other = new Map<string, Site>();
  private size = 0;
  /** Spawns come in runs from one spot: comparing with the last site is cheaper than hashing its path. */
  private last: Site | null = null;

  /** The shared site equal to `v` ({file, line, function}); `v` itself when it is not a whole site or the table is full. */
  intern(v: Site): Site {
    const file = v.file;
    const line = v.line;
    const fn = v.function;
    if (typeof fn !== 'string') return v;
    const last = this.last;
    if (last !== null && last.line === line && last.function === fn && last.file === file) return last;
    const site = this.lookup(file, line, fn, v);
    if (site !== v) this.last = site;
    return site;
  }

  private lookup(file: string, line: number, fn: string, v: Site): Site {
    let lines = this.byFile.get(file);
    const known = lines?.get(line);
    if (known !== undefined) {
      if (known.function === fn) return known;
      const key = `${line}\n${fn}\n${file}`;
      const o = this.other.get(key);
      if (o !== undefined) return o;
      if (this.size >= MAX_INTERNED) return v;
      const site: Site = { file: known.file, line, function: fn };
      this.other.set(key, site);
      this.size++;
      return site;
    }
    if (this.size >= MAX_INTERNED) return v;
    if (lines === undefined) {
      lines = new Map();
      this.byFile.set(file, lines);
    }
    const site: Site = { file, line, function: fn };
    lines.set(line, site);
    this.size++;
    return site;
  }
}

export class NameTable {
  private readonly names = new Map<string, string>();
  private last = '';

  /** The first copy of an equal string seen (or `s` when the table is full). */
  intern(s: string): string {
    if (s === this.last) return this.last;
    const known = this.names.get(s);
    if (known !== undefined) {
      this.last = known;
      return known;
    }
    if (this.names.size < MAX_INTERNED) {
      this.names.set(s, s);
      this.last = s;
    }
    return s;
  }
}
