/**
 * The floor for a Node proxy in bench/router.ts: node:http + an undici pool per
 * cell + pipe, picking the cell by the same ring on `x-user-id`, with no auth,
 * signing, metrics or error handling. The gap between this and our router is
 * what our own logic costs; the gap between this and nginx is Node's HTTP stack.
 * Usage: router-raw-proxy.ts <port> <cellPort>...
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { RendezvousRing } from '../router/placement/ring.ts';

const [port, ...cellPorts] = process.argv.slice(2);
const pools = new Map(
  cellPorts.map((p, i) => [
    `cell-${i + 1}`,
    new Pool(`http://127.0.0.1:${p}`, { connections: 128 }),
  ]),
);
const ring = new RendezvousRing([...pools.keys()].map((id) => ({ id })));

createServer(async (req, res) => {
  const userId = String(req.headers['x-user-id'] ?? '');
  const pool = pools.get(ring.lookup(userId) ?? '') as Pool;
  try {
    const answer = await pool.request({
      method: 'GET',
      path: req.url ?? '/',
      headers: { 'x-user-id': userId },
    });
    res.writeHead(answer.statusCode, answer.headers as Record<string, string>);
    answer.body.pipe(res);
  } catch {
    res.writeHead(502).end();
  }
}).listen(Number(port), '127.0.0.1', () => console.log('ready'));
