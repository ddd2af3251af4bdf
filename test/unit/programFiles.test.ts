// The Run File picker offers programs first: which files read as programs
// (the repository's own examples and their helper modules), and the order.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { eachAtMost, inPickerOrder, looksLikeProgram } from '../../extension/commands/programFiles';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() && e.name !== 'tests' && e.name !== '__pycache__'
      ? pythonFiles(join(dir, e.name))
      : e.name.endsWith('.py')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('Run File picker: programs first', () => {
  it("tells the examples (programs) from the Hettinger example's helper modules", () => {
    const helpers: string[] = [];
    const programs: string[] = [];
    for (const f of pythonFiles(EXAMPLES))
      (looksLikeProgram(basename(f), readFileSync(f, 'utf8')) ? programs : helpers).push(basename(f));
    assert.deepEqual(helpers.sort(), ['http_body.py', 'in_flight.py', 'sites.py']);
    for (const p of ['trio_way.py', 'asyncio_way.py', 'anyio_app.py', 'asyncio_taskgroup.py', 'hang.py'])
      assert.ok(programs.includes(p), p);
  });

  it('reads a __main__ block either way round, a top-level loop run, and a package __main__.py', () => {
    assert.ok(looksLikeProgram('a.py', 'def main(): ...\n\nif __name__ == "__main__":\n    main()\n'));
    assert.ok(looksLikeProgram('a.py', "if '__main__' == __name__:\n    main()\n"));
    assert.ok(looksLikeProgram('a.py', 'import trio\nasync def main(): ...\ntrio.run(main)\n'));
    assert.ok(looksLikeProgram('a.py', 'asyncio.run(main())\n'));
    assert.ok(looksLikeProgram('__main__.py', 'from .cli import main\nmain()\n'));
  });

  it('a module that only defines, or runs a loop inside a function, is not a program', () => {
    assert.ok(!looksLikeProgram('util.py', 'import asyncio\n\ndef go():\n    asyncio.run(main())\n'));
    assert.ok(!looksLikeProgram('conftest.py', 'import pytest\n\n@pytest.fixture\ndef x(): ...\n'));
    assert.ok(!looksLikeProgram('a.py', 'def f():\n    if __name__ == "__main__":\n        pass\n'));
    assert.ok(!looksLikeProgram('a.py', 'if __name__ == "__mp_main__":\n    pass\n'));
  });

  it('orders programs before the rest, each by folder then name', () => {
    const f = (label: string, description: string, program: boolean) => ({ label, description, program, value: label });
    const { programs, others } = inPickerOrder([
      f('z.py', '', true),
      f('helpers.py', '', false),
      f('b.py', 'tools', true),
      f('a.py', '', true),
      f('conftest.py', 'tests', false),
    ]);
    assert.deepEqual(
      programs.map((p) => p.value),
      ['a.py', 'z.py', 'b.py'],
    );
    assert.deepEqual(
      others.map((p) => p.value),
      ['helpers.py', 'conftest.py'],
    );
  });

  it('reads many files a few at a time, each result in its place', async () => {
    let open = 0;
    let most = 0;
    const out = await eachAtMost(
      Array.from({ length: 100 }, (_, i) => i),
      8,
      async (i) => {
        most = Math.max(most, ++open);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        open--;
        return i * 2;
      },
    );
    assert.equal(most, 8);
    assert.deepEqual(
      out,
      Array.from({ length: 100 }, (_, i) => i * 2),
    );
  });
});
