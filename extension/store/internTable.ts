// One shared object per distinct site and one string per distinct task name.
// Why: a row lives for thousands of events (retention), so whatever it points
// at survives the young-generation GC and gets copied, then promoted, then
// collected by a full GC. Parsed sites and names repeat endlessly (a program
// has few spawn points), so pointing rows at the first copy lets every later
// parsed copy die young. Measured: most of the ingest path's GC time was the
// scavenger copying these per-event sites and names.
//
// Both tables are bounded (entries and characters): when one is full it starts
// over, so memory stays bounded whatever a stream sends and the sites of the
// program's present keep being shared. Rows keep the objects they got. A row
// never holds a parsed site: the table hands out its own copy of the three
// fields, so nothing else a line carried stays alive (or reaches the panel).
import type { Site } from '../../contract/rows';
import type { WireSite } from '../../contract/wire';

/** Distinct entries per table before it starts over. */
export const MAX_INTERNED = 8192;
/** Characters (paths, function names, task names) per table before it starts over. */
export const MAX_INTERNED_CHARS = 4 * 1024 * 1024;

export class SiteTable {
  /** file → line → the site of that line (the usual case: one function per line). */
  private byFile = new Map<string, Map<number, Site>>();
  /** Sites whose line already holds a site of another function (rare: lambdas, one-liners). */
  private other = new Map<string, Site>();
  private size = 0;
  private chars = 0;
  /** Spawns come in runs from one spot: comparing with the last site is cheaper than hashing its path. */
  private last: Site | null = null;

  /** The shared site equal to `v` (its file, line and function; nothing else it carries). */
  intern(v: WireSite): Site {
    const file = v.file;
    const line = v.line;
    const fn = v.function;
    const last = this.last;
    if (last !== null && last.line === line && last.function === fn && last.file === file) return last;
    const site = this.lookup(file, line, fn);
    this.last = site;
    return site;
  }

  private lookup(file: string, line: number, fn: string): Site {
    const lines = this.byFile.get(file);
    const known = lines?.get(line);
    if (known === undefined) return this.add(file, line, fn, lines, undefined, '');
    if (known.function === fn) return known;
    const key = `${line}\n${fn}\n${file}`;
    return this.other.get(key) ?? this.add(file, line, fn, lines, known, key);
  }

  /** A new entry (`known`: the site already on its line, with `key` its entry in `other`); a full table starts over first. */
  private add(
    file: string,
    line: number,
    fn: string,
    lines: Map<number, Site> | undefined,
    known: Site | undefined,
    key: string,
  ): Site {
    if (this.size >= MAX_INTERNED || this.chars + fn.length + file.length > MAX_INTERNED_CHARS) {
      this.byFile = new Map();
      this.other = new Map();
      this.size = 0;
      this.chars = 0;
      lines = known = undefined;
    }
    this.size++;
    this.chars += fn.length;
    if (known !== undefined) {
      const site: Site = { file: known.file, line, function: fn };
      this.other.set(key, site);
      return site;
    }
    if (lines === undefined) {
      lines = new Map();
      this.byFile.set(file, lines);
      this.chars += file.length;
    }
    const site: Site = { file, line, function: fn };
    lines.set(line, site);
    return site;
  }
}

export class NameTable {
  private names = new Map<string, string>();
  private chars = 0;
  private last = '';

  /** The first copy of an equal string seen since the table last started over. */
  intern(s: string): string {
    if (s === this.last) return this.last;
    const known = this.names.get(s);
    if (known !== undefined) {
      this.last = known;
      return known;
    }
    if (this.names.size >= MAX_INTERNED || this.chars + s.length > MAX_INTERNED_CHARS) {
      this.names = new Map();
      this.chars = 0;
    }
    this.names.set(s, s);
    this.chars += s.length;
    this.last = s;
    return s;
  }
}
