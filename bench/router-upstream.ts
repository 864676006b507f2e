/**
 * Upstream "cells" for bench/router.ts: plain node HTTP servers (one process,
 * one server per port given on the command line) answering every request with
 * a small JSON body, and `/health/ready` with 200. Prints `ready` when listening.
 */
import { createServer } from 'node:http';

const ports = process.argv.slice(2).map(Number);
const body = JSON.stringify({ ok: true, items: [{ id: 1, title: 'Senior engineer' }] });
const length = Buffer.byteLength(body);

await Promise.all(
  ports.map(
    (port) =>
      new Promise<void>((resolve) => {
        const server = createServer((req, res) => {
          req.resume();
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
          res.end(body);
        });
        server.keepAliveTimeout = 60_000;
        server.listen(port, '127.0.0.1', () => resolve());
      }),
  ),
);
console.log('ready');
