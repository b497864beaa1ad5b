// A plain HTTP request to a coordinator on loopback, with the FleetLock header
// (probes and /metrics ignore it).
import { request } from 'node:http';

export function httpRequest(port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time (agent: false): a kept-alive socket the server closes as idle would reset a later request.
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, headers: { 'fleet-lock-protocol': 'true' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
