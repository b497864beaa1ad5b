// The agent's /metrics (Prometheus) and /healthz, on --metrics-listen.
import type { Registry } from 'prom-client';
import type { HostPort } from '../../common/address.js';
import { sendText, startHttpServer, type RunningHttpServer } from '../../common/http-server.js';
import type { Logger } from '../../common/log.js';

export function startMetricsServer(options: { listen: HostPort; registry: Registry; healthy: () => boolean; log: Logger }): Promise<RunningHttpServer> {
  return startHttpServer({
    listen: options.listen,
    handler: async (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET only\n');
      if (path === '/metrics') return sendText(res, 200, await options.registry.metrics(), options.registry.contentType);
      if (path === '/healthz') return options.healthy() ? sendText(res, 200, 'ok\n') : sendText(res, 503, 'unhealthy\n');
      return sendText(res, 404, 'not found\n');
    },
    onError: (err) => options.log.error('metrics handler failed', { err }),
  });
}
