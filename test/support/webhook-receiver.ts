// A webhook receiver on loopback for notification tests: records each POST's
// JSON body; `hold()` makes it keep requests unanswered until `release()`,
// `failNext(n)` answers the next n with 500.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  url: string;
  port: number;
  bodies: Array<Record<string, unknown>>;
  /** Requests that arrived, answered or not. */
  requests: number;
  hold(): void;
  release(): void;
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  let holding = false;
  let failing = 0;
  const held: Array<() => void> = [];
  const state = { bodies: [] as Array<Record<string, unknown>>, requests: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      state.requests++;
      const answer = () => {
        if (failing > 0) {
          failing--;
          res.writeHead(500).end('no\n');
          return;
        }
        state.bodies.push(JSON.parse(text) as Record<string, unknown>);
        res.writeHead(204).end();
      };
      if (holding) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/hook`,
    port: actual,
    get bodies() {
      return state.bodies;
    },
    get requests() {
      return state.requests;
    },
    hold: () => (holding = true),
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    failNext: (n) => (failing = n),
    close: () =>
      new Promise<void>((resolve) => {
        for (const answer of held.splice(0)) answer();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
