// hostpilot.v1.Configs: a pool's rendered NodeConfig (`hostpilotctl config rendered POOL`). Admin only under mTLS.
import { InvalidArgumentError } from '../../common/errors.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { ConfigService } from '../configs/service.js';
import type { ConfigsHandlers } from '../../proto/generated/hostpilot/v1/Configs.js';
import { unary } from './call.js';

const POOL = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function configsHandlers(configs: ConfigService, auth: Authorizer): ConfigsHandlers {
  return {
    Rendered: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      if (!POOL.test(req.pool)) throw new InvalidArgumentError('pool', `${JSON.stringify(req.pool.slice(0, 80))} is not a pool name (a label value)`);
      const pool = await configs.current(req.pool);
      const config = await configs.rendered(pool.hash);
      return { pool: req.pool, hash: pool.hash, rendered_json: config ? JSON.stringify(config) : '', history: pool.history, updated_unix_ms: pool.updatedAt };
    }),
  };
}
