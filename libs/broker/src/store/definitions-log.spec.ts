import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefinitionsLog } from './definitions-log';
import { encodeDefinitionLine } from './definitions-codec';
import {
  bindingDef,
  CapturingLogger,
  exchangeDef,
  queueDef,
  tempDataDir,
} from './testing/store-fixtures';

describe('DefinitionsLog', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let path: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDataDir());
    path = join(dir, 'definitions.log');
  });
  afterEach(() => cleanup());

  async function reopen(logger = new CapturingLogger()) {
    const log = new DefinitionsLog(path, logger);
    const state = await log.open();
    return { log, state, logger };
  }

  async function lineCount(): Promise<number> {
    return (await readFile(path, 'utf8')).split('\n').filter(Boolean).length;
  }

  it('compacts the log on open to one line per live definition', async () => {
    const { log } = await reopen();
    for (let i = 0; i < 50; i++) {
      await log.append({ op: 'put', kind: 'queue', def: queueDef(`temp.${i}`) });
      await log.append({ op: 'del', kind: 'queue', vhost: '/', name: `temp.${i}` });
    }
    await log.append({ op: 'put', kind: 'exchange', def: exchangeDef('ex') });
    await log.append({ op: 'put', kind: 'queue', def: queueDef('kept') });
    await log.append({ op: 'put', kind: 'binding', def: bindingDef('ex', 'kept') });
    await log.close();
    expect(await lineCount()).toBe(103);

    const { log: again, state } = await reopen();
    expect(await lineCount()).toBe(3);
    expect([...state.queues.values()]).toEqual([queueDef('kept')]);
    expect([...state.exchanges.values()]).toEqual([exchangeDef('ex')]);
    expect([...state.bindings.values()]).toEqual([bindingDef('ex', 'kept')]);
    await again.close();
  });

  it('compacts while running once the log is far larger than the live state', async () => {
    const { log } = await reopen();
    for (let i = 0; i < 1200; i++) {
      await log.append({ op: 'put', kind: 'queue', def: queueDef('churn') });
    }
    expect(await lineCount()).toBeLessThan(1100);
    await log.close();
    const { log: again, state } = await reopen();
    expect([...state.queues.keys()]).toEqual(['//churn']);
    await again.close();
  });

  it('drops bindings with the queue or exchange they involve', async () => {
    const { log } = await reopen();
    await log.append({ op: 'put', kind: 'exchange', def: exchangeDef('a') });
    await log.append({ op: 'put', kind: 'exchange', def: exchangeDef('b') });
    await log.append({ op: 'put', kind: 'queue', def: queueDef('q') });
    await log.append({ op: 'put', kind: 'binding', def: bindingDef('a', 'q') });
    await log.append({ op: 'put', kind: 'binding', def: bindingDef('b', 'q') });
    const e2e = { ...bindingDef('b', 'a'), destinationKind: 'exchange' as const };
    await log.append({ op: 'put', kind: 'binding', def: e2e });
    await log.append({ op: 'del', kind: 'exchange', vhost: '/', name: 'a' });
    await log.close();
    const { log: again, state } = await reopen();
    expect([...state.bindings.values()]).toEqual([bindingDef('b', 'q')]);
    await again.close();
  });

  it('drops a torn last line and reports a corrupt one in the middle by line and offset', async () => {
    const good1 = encodeDefinitionLine({ op: 'put', kind: 'queue', def: queueDef('one') });
    const bad = encodeDefinitionLine({ op: 'put', kind: 'queue', def: queueDef('two') }).replace(
      'two',
      'TWO',
    );
    const good2 = encodeDefinitionLine({ op: 'put', kind: 'queue', def: queueDef('three') });
    await writeFile(path, good1 + bad + good2);
    await appendFile(path, good2.slice(0, 20));

    const { log, state, logger } = await reopen();
    expect([...state.queues.keys()]).toEqual(['//one', '//three']);
    expect(logger.errors).toEqual([
      `corrupt definitions log line 2 in ${path} at offset ${good1.length}: checksum mismatch; skipped`,
    ]);
    expect(logger.warnings[0]).toContain(`torn line at the end of ${path}`);
    await log.close();
  });

  it('commits concurrent changes together and resolves each after the write', async () => {
    const { log } = await reopen();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        log.append({ op: 'put', kind: 'queue', def: queueDef(`q${i}`) }),
      ),
    );
    expect(await lineCount()).toBe(100);
    await log.close();
  });
});
