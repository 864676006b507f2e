/**
 * The floor under every Node proxy in bench/router.ts: a byte relay with no HTTP
 * at all. Each client connection is piped to a connection to one cell (round
 * robin by connection), so requests are neither parsed nor routed per user: it
 * measures only what a Node process pays to move the same bytes through its
 * sockets, which no Node proxy can go below on this machine.
 * Usage: router-tcp-relay.ts <port> <cellPort>...
 */
import { connect, createServer } from 'node:net';

const [port, ...cellPorts] = process.argv.slice(2).map(Number);
let next = 0;

createServer((client) => {
  const cellPort = cellPorts[next++ % cellPorts.length] as number;
  const cell = connect(cellPort, '127.0.0.1');
  client.setNoDelay(true);
  cell.setNoDelay(true);
  const close = () => {
    client.destroy();
    cell.destroy();
  };
  client.on('error', close).on('close', close);
  cell.on('error', close).on('close', close);
  client.pipe(cell);
  cell.pipe(client);
}).listen(port, '127.0.0.1', () => console.log('ready'));
