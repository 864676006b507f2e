/**
 * `make test-failover` drives k6 and the local orchestrator from
 * loadtest/run-failover.sh. Neither k6 nor a platform runs here, so this runs
 * the real script with a fake `k6` (speaking k6's REST API for the metric the
 * script polls) and a fake orchestrator command that logs what it is asked,
 * and checks the order and timing of kill and start, the k6 arguments, the
 * printed verdict and the exit status.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FAKE_K6 = `#!/usr/bin/env node
// Fake k6: "version", or "run" that serves /v1/metrics/iterations after a short setup.
const { createServer } = require('node:http');
const { appendFileSync, writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === 'version') { console.log(process.env.FAKE_K6_VERSION || 'k6 v1.1.0 (go1.24, linux/amd64)'); process.exit(0); }
const env = {};
let address = '127.0.0.1:6565';
for (let i = 1; i < args.length; i++) {
  if (args[i] === '-e') { const [k, ...v] = args[++i].split('='); env[k] = v.join('='); }
  else if (args[i] === '--address') address = args[++i];
}
const log = (line) => appendFileSync(process.env.EVENTS, Date.now() + ' ' + line + '\\n');
log('k6 ' + JSON.stringify(env) + ' ' + args[args.length - 1]);
let running = false;
const [host, port] = address.split(':');
createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ data: { id: 'iterations', attributes: { sample: { count: running ? 5 : 0 } } } }));
}).listen(Number(port), host);
setTimeout(() => { running = true; log('traffic'); }, 400);
setTimeout(() => {
  writeFileSync(process.env.RESULTS_DIR + '/failover-verdict.txt', 'failover: FAIL (fake verdict)\\n');
  process.exit(99);
}, 400 + parseInt(env.DURATION, 10) * 1000);
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function fixture() {
  const dir = mkdtempSync(path.join(tmpdir(), 'failover-driver-'));
  const bin = path.join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin, path.join(dir, 'results')]);
  writeFileSync(path.join(bin, 'k6'), FAKE_K6);
  chmodSync(path.join(bin, 'k6'), 0o755);
  const orch = path.join(dir, 'orch.sh');
  writeFileSync(orch, '#!/usr/bin/env bash\necho "$(date +%s%3N) orch $*" >> "$EVENTS"\n');
  chmodSync(orch, 0o755);
  return { dir, bin, orch, events: path.join(dir, 'events.log') };
}

async function runDriver(extraEnv: Record<string, string>, args: string[]) {
  const f = fixture();
  const env = {
    PATH: `${f.bin}:${process.env.PATH ?? ''}`,
    EVENTS: f.events,
    ORCH_CMD: f.orch,
    RESULTS_DIR: path.join(f.dir, 'results'),
    K6_ADDRESS: `127.0.0.1:${await freePort()}`,
    CELLS: '3',
    WARMUP: '1',
    FAULT_WINDOW: '1',
    RECOVERY: '1',
    ...extraEnv,
  };
  const result = spawnSync('bash', ['loadtest/run-failover.sh', ...args], {
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  let events: { at: number; text: string }[] = [];
  try {
    events = readFileSync(f.events, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const space = line.indexOf(' ');
        return { at: Number(line.slice(0, space)), text: line.slice(space + 1) };
      });
  } catch {}
  return { ...result, events };
}

describe('loadtest/run-failover.sh', () => {
  it('kills the part after the warm-up, restarts it after the fault window, prints the verdict and returns k6 status', async () => {
    const { status, stdout, events } = await runDriver({}, ['2', 'redis']);
    expect(events.map((e) => e.text.split(' {')[0])).toEqual([
      'k6',
      'traffic',
      'orch kill --cell 2 --part redis',
      'orch start --cell 2',
    ]);
    const k6 = JSON.parse(events[0]?.text.slice(3, events[0].text.lastIndexOf(' ')) ?? '{}');
    expect(k6).toEqual({ FAULT_CELL: 'cell-2', FAULT_PART: 'redis', CELLS: '3', DURATION: '3s' });
    expect(events[0]?.text.endsWith('loadtest/failover.ts')).toBe(true);
    const [, traffic, kill, start] = events.map((e) => e.at);
    expect((kill as number) - (traffic as number)).toBeGreaterThanOrEqual(1000);
    expect((start as number) - (kill as number)).toBeGreaterThanOrEqual(1000);
    expect(stdout).toContain('failover: FAIL (fake verdict)');
    expect(status).toBe(99);
  });

  it('refuses a part it does not know before starting anything', async () => {
    const { status, stderr, events } = await runDriver({}, ['2', 'disk']);
    expect(status).toBe(2);
    expect(stderr).toContain('PART=api|worker|postgres|redis');
    expect(events).toEqual([]);
  });

  it('refuses a cell outside the platform', async () => {
    const { status, stderr } = await runDriver({ CELLS: '3' }, ['4', 'api']);
    expect(status).toBe(2);
    expect(stderr).toContain('CELL=4 is not one of the platform');
  });

  it('says what to install when k6 is too old to run TypeScript', async () => {
    const { status, stderr, events } = await runDriver({ FAKE_K6_VERSION: 'k6 v0.50.0 (go1.21)' }, [
      '1',
      'api',
    ]);
    expect(status).toBe(1);
    expect(stderr).toContain('k6 v0.50.0 is too old');
    expect(stderr).toContain('sudo apt-get install k6');
    expect(stderr).toContain('brew install k6');
    expect(events).toEqual([]);
  });
});
