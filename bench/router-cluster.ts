/**
 * The router as N processes sharing one port through `node:cluster`, for the
 * capacity model of `bench-router` (Node 20 has no `reusePort`). The primary
 * only hands out connections (round-robin, Node's default on Linux); each
 * worker is a whole `router/server.ts` with its own pools, caches and health
 * checks. Usage: node --import tsx bench/router-cluster.ts <processes>
 */
import cluster from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

if (cluster.isPrimary) {
  const processes = Number(process.argv[2] ?? 2);
  if (!Number.isInteger(processes) || processes < 1) {
    console.error('usage: router-cluster.ts <processes ≥ 1>');
    process.exit(2);
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  cluster.setupPrimary({ exec: path.join(here, '..', 'router', 'server.ts') });
  for (let i = 0; i < processes; i++) cluster.fork();
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
  cluster.on('exit', (worker, code) => {
    if (!stopping) console.error(`router worker ${worker.process.pid} exited with ${code}`);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1);
  });
}
