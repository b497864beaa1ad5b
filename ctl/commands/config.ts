// `hostpilotctl config rendered POOL`: the pool's rendered NodeConfig (every
// NodeConfig selecting it, merged in name order) and its hash.
import { stringify } from 'yaml';
import { UsageError } from '../../common/cli.js';
import type { RenderedConfig } from '../../common/api/node-config.js';
import { formatMode } from '../../common/api/kinds/node-config.js';
import type { RenderedConfigReply__Output } from '../../proto/generated/hostpilot/v1/RenderedConfigReply.js';
import { printJson, type CtlCommand } from '../context.js';

export const configRendered: CtlCommand = {
  usage: 'config rendered POOL                   the pool\'s rendered NodeConfig (its NodeConfigs merged in name order) and its hash',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length !== 1) throw new UsageError('config rendered takes exactly one POOL');
    const pool = positionals[0]!;
    const reply = await ctx.client.call<RenderedConfigReply__Output>((o, cb) => ctx.client.configs.Rendered({ pool }, o, cb));
    const config = reply.rendered_json ? (JSON.parse(reply.rendered_json) as RenderedConfig) : null;
    const value = { pool: reply.pool, hash: reply.hash, config, history: reply.history, updated: Number(reply.updated_unix_ms) ? new Date(Number(reply.updated_unix_ms)).toISOString() : '' };
    if (ctx.output === 'json') {
      printJson(ctx, value);
      return 0;
    }
    if (!config) {
      ctx.out(`pool ${reply.pool}: no NodeConfig selects it\n`);
      return 0;
    }
    // The config as YAML (modes in octal, as NodeConfigs write them), after a header a person reads first.
    const shown = { ...config, files: config.files.map((f) => ({ ...f, mode: formatMode(f.mode) })) };
    ctx.out(`pool ${reply.pool}: ${reply.hash}\nfrom: ${config.sources.join(', ')}\n${value.updated ? `rendered: ${value.updated}\n` : ''}---\n${stringify(shown, { lineWidth: 0 })}`);
    return 0;
  },
};
