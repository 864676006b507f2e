/**
 * `make dev-cells` and friends: the command-line face of the local
 * orchestrator. Usage: cli.ts up --cells N | stop | status | logs [--cell k] |
 * kill --cell k --part P | start --cell k | restart-router | migrate | clean |
 * add-cell | remove-cell --cell k | migrator-env
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Orchestrator } from './orchestrator.ts';
import {
  CELL_DATABASE,
  CONTROL_PLANE_DATABASE,
  MAX_CELLS,
  PORTS,
  postgresUrl,
} from './topology.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const orchestrator = new Orchestrator({ repoRoot, devDir: process.env.DEV_DIR });

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    cells: { type: 'string' },
    cell: { type: 'string' },
    part: { type: 'string' },
  },
});
const command = positionals[0] ?? 'status';

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

function intOption(value: string | undefined, name: string, max: number): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 1 || n > max)
    fail(`${name} must be an integer from 1 to ${max}`);
  return n;
}

function pad(text: string, width: number) {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

async function printStatus(): Promise<void> {
  const rows = await orchestrator.status();
  if (rows.length === 0) {
    console.log('nothing recorded; start the platform with `make dev-cells`');
    return;
  }
  console.log(`${pad('PROCESS', 20)}${pad('PID', 9)}${pad('ADDRESS', 50)}${pad('RSS', 9)}HEALTH`);
  let totalKb = 0;
  for (const row of rows) {
    const c = row.component;
    const address =
      c.kind === 'node'
        ? `http://127.0.0.1:${c.port}`
        : c.kind === 'postgres'
          ? postgresUrl(c.port, c.cell ? CELL_DATABASE : CONTROL_PLANE_DATABASE)
          : `redis://127.0.0.1:${c.port}`;
    totalKb += row.rssKb;
    const rss = row.running ? `${Math.round(row.rssKb / 1024)}M` : '-';
    console.log(
      `${pad(c.name, 20)}${pad(row.pid ? String(row.pid) : '-', 9)}${pad(address, 50)}${pad(rss, 9)}${row.health}`,
    );
  }
  const running = rows.filter((r) => r.running).length;
  console.log(
    `\n${running}/${rows.length} processes running, summed RSS ${Math.round(totalKb / 1024)} MiB`,
  );
}

async function main(): Promise<void> {
  switch (command) {
    case 'up': {
      const cells = intOption(values.cells ?? '3', 'CELLS', MAX_CELLS);
      const started = Date.now();
      console.log(`bringing up a ${cells}-cell platform (data in ${orchestrator.devDir})`);
      await orchestrator.up(cells, (name, outcome) => {
        if (outcome === 'skipped') console.log(`  ${pad(name, 20)}skipped (not built yet)`);
        else
          console.log(`  ${pad(name, 20)}${outcome === 'running' ? 'already running' : 'started'}`);
      });
      console.log(`\nplatform up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      await printStatus();
      console.log(
        `\nrouter: http://127.0.0.1:${PORTS.router}   admin token: ${orchestrator.secrets().ADMIN_TOKEN}`,
      );
      console.log('`make status`, `make logs CELL=k`, `make stop`');
      return;
    }
    case 'stop': {
      let stopped = 0;
      await orchestrator.stopAll((name) => {
        stopped++;
        console.log(`  stopped ${name}`);
      });
      console.log(stopped ? `stopped ${stopped} processes` : 'nothing was running');
      return;
    }
    case 'status':
      return printStatus();
    case 'logs': {
      const cell = values.cell ? intOption(values.cell, 'CELL', MAX_CELLS) : undefined;
      const cells = orchestrator.recordedCells() ?? 0;
      const files = orchestrator
        .topology(cells)
        .filter((c) => cell === undefined || c.cell === cell)
        .map((c) => orchestrator.logFile(c.name));
      const tail = spawn('tail', ['-n', '40', '-F', ...files], { stdio: 'inherit' });
      await new Promise((resolve) => tail.on('exit', resolve));
      return;
    }
    case 'kill': {
      const cell = intOption(values.cell, 'CELL', MAX_CELLS);
      const part = values.part ?? fail('PART is required: api, worker, postgres or redis');
      const component = await orchestrator.kill(cell, part);
      console.log(
        `killed ${component.name} (SIGKILL); bring it back with \`make start-cell CELL=${cell}\``,
      );
      return;
    }
    case 'start': {
      const cell = intOption(values.cell, 'CELL', MAX_CELLS);
      await orchestrator.startCell(cell, (name, outcome) =>
        console.log(`  ${pad(name, 20)}${outcome === 'running' ? 'already running' : outcome}`),
      );
      return;
    }
    case 'restart-router':
      await orchestrator.restart('router');
      console.log('router restarted');
      return;
    case 'migrate': {
      const cells = orchestrator.recordedCells() ?? fail('the platform has not been started');
      const { migrateCell } = await import('../../cell/db/migrate.ts');
      for (let k = 1; k <= cells; k++) {
        const applied = await migrateCell(postgresUrl(PORTS.cellPostgres(k), CELL_DATABASE));
        console.log(`  cell-${k}: ${applied.length ? applied.join(', ') : 'up to date'}`);
      }
      const { migrateControlPlane } = await import('../../router/control-plane/migrate.ts');
      const applied = await migrateControlPlane(
        postgresUrl(PORTS.controlPostgres, CONTROL_PLANE_DATABASE),
      );
      console.log(`  control plane: ${applied.length ? applied.join(', ') : 'up to date'}`);
      return;
    }
    case 'add-cell': {
      const result = (await orchestrator.addCell((name, outcome) =>
        console.log(`  ${pad(name, 20)}${outcome === 'running' ? 'already running' : outcome}`),
      )) as { cell: { id: string; url: string }; rebalance: string };
      console.log(
        `${result.cell.id} registered at ${result.cell.url}; rebalance: ${result.rebalance}`,
      );
      return;
    }
    case 'remove-cell': {
      const cell = intOption(values.cell, 'CELL', MAX_CELLS);
      await orchestrator.removeCell(cell, (name) => console.log(`  stopped ${name}`));
      console.log(`cell-${cell} removed`);
      return;
    }
    case 'migrator-env': {
      // For `make migrator`: the environment of a standalone migrator run.
      const secrets = orchestrator.secrets();
      console.log(
        `CONTROL_PLANE_DATABASE_URL=${postgresUrl(PORTS.controlPostgres, CONTROL_PLANE_DATABASE)} ROUTER_SECRET=${secrets.ROUTER_SECRET}`,
      );
      return;
    }
    case 'clean':
      await orchestrator.clean((name) => console.log(`  stopped ${name}`));
      console.log(`removed ${orchestrator.devDir}`);
      return;
    default:
      fail(`unknown command ${command}`);
  }
}

main().catch((error: Error) => fail(error.message));
