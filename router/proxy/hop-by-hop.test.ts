import { describe, expect, it } from 'vitest';
import { requestHeadersForCell, responseHeadersForClient } from './hop-by-hop.ts';

describe('requestHeadersForCell', () => {
  it('drops hop-by-hop, Connection-named, credential and identity headers', () => {
    const out = requestHeadersForCell({
      connection: 'keep-alive, x-secret-hop',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      upgrade: 'websocket',
      te: 'trailers',
      host: 'router',
      authorization: 'Bearer t',
      'x-secret-hop': '1',
      'x-user-id': 'spoofed',
      'x-cell-id': 'spoofed',
      'x-request-id': 'spoofed',
      'x-router-signature': 'spoofed',
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': '12',
    });
    expect(out).toEqual([
      'content-type',
      'application/json',
      'accept',
      'application/json',
      'content-length',
      '12',
    ]);
  });

  it('drops a header named in Connection beside keep-alive or close, in any case and spacing', () => {
    const headers = { 'x-hop': '1', accept: '*/*' };
    for (const connection of ['Keep-Alive', ' close ', 'keep-alive']) {
      expect(requestHeadersForCell({ connection, ...headers })).toEqual([
        'x-hop',
        '1',
        'accept',
        '*/*',
      ]);
    }
    for (const connection of ['Keep-Alive, X-Hop', 'close,x-hop', ['keep-alive', 'x-hop']]) {
      expect(requestHeadersForCell({ connection, ...headers })).toEqual(['accept', '*/*']);
    }
  });
});

describe('responseHeadersForClient', () => {
  it('keeps end-to-end headers including repeated set-cookie, and drops hop-by-hop ones', () => {
    const out = responseHeadersForClient({
      'content-type': 'application/pdf',
      'set-cookie': ['a=1', 'b=2'],
      connection: 'close',
      'transfer-encoding': 'chunked',
      'x-cell-id': 'from-cell',
    });
    expect(out).toEqual([
      'content-type',
      'application/pdf',
      'set-cookie',
      'a=1',
      'set-cookie',
      'b=2',
    ]);
  });
});
