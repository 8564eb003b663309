// The keys command as npm runs it: a first admin key for a new data directory, which then
// opens the server; listing without secrets; deleting; mistakes exit 2 with the usage.
import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSift, type RunningSift } from '../../test/helpers/sift-server.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { runKeysCli } from './cli.js';

function capture() {
  const lines = { log: [] as string[], error: [] as string[] };
  return { lines, out: { log: (line: string) => lines.log.push(line), error: (line: string) => lines.error.push(line) } };
}

describe('npm run keys', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sift: RunningSift | null = null;
  beforeEach(() => {
    dir = makeTempDir('sift-keys-cli-');
  });
  afterEach(async () => {
    await sift?.stop();
    sift = null;
    dir.remove();
  });

  it('creates the first admin key, which a running server asks for from then on', async () => {
    sift = await startSift({ DATA_DIR: dir.path });
    expect((await fetch(`${sift.url}/v1/collections`)).status).toBe(200);
    const { lines, out } = capture();
    expect(await runKeysCli(['create', '--name', 'first-admin', '--role', 'admin'], { DATA_DIR: dir.path }, out)).toBe(0);
    const secret = lines.log[0]!;
    expect(secret).toMatch(/^sift_/);
    expect((await fetch(`${sift.url}/v1/collections`)).status).toBe(401);
    expect((await fetch(`${sift.url}/v1/collections`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);

    const listed = capture();
    expect(await runKeysCli(['list'], { DATA_DIR: dir.path }, listed.out)).toBe(0);
    expect(listed.lines.log.join('\n')).toContain('first-admin\tadmin\t*\tno limits');
    expect(listed.lines.log.join('\n')).not.toContain(secret);

    expect(await runKeysCli(['delete', 'first-admin'], { DATA_DIR: dir.path }, capture().out)).toBe(0);
    expect((await fetch(`${sift.url}/v1/collections`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    // Deleting the last key does not open the server again.
    expect((await fetch(`${sift.url}/v1/collections`)).status).toBe(401);
  });

  it('takes scopes and limits, and refuses a taken name', async () => {
    const created = capture();
    const args = ['create', '--name', 'ci', '--role', 'write', '--scope', 'team-a-*,shared', '--rate-per-minute', '60', '--burst', '10', '--budget-tokens', '50000', '--budget-usd', '2.5'];
    expect(await runKeysCli(args, { DATA_DIR: dir.path }, created.out)).toBe(0);
    const listed = capture();
    await runKeysCli(['list'], { DATA_DIR: dir.path }, listed.out);
    expect(listed.lines.log[0]).toContain('ci\twrite\tteam-a-*,shared\t60/min burst 10, 50000 tokens/month, $2.5/month');
    const again = capture();
    expect(await runKeysCli(args, { DATA_DIR: dir.path }, again.out)).toBe(1);
    expect(again.lines.error.join('\n')).toContain('A key named "ci" exists');
  });

  it('exits 2 with the usage for a mistake', async () => {
    for (const args of [['create', '--name', 'x'], ['create', '--name', 'x', '--role', 'admin', '--scope', 'team-a-*'], ['create', '--name', 'x', '--role', 'read', '--burst', '3'], ['rename'], ['create', '--colour', 'red']]) {
      const { lines, out } = capture();
      expect(await runKeysCli(args, { DATA_DIR: dir.path }, out), args.join(' ')).toBe(2);
      expect(lines.error.join('\n')).toContain('Usage: npm run keys');
    }
  });
});
