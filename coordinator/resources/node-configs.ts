// NodeConfig resources: stored documents the config service (coordinator/configs)
// renders per pool. A set that would render a conflict in any pool is refused
// whole, before anything is applied; after a change every pool is rendered
// again (a new target: nodes move to it through a rollout).
import type { NodeConfigSpec } from '../../common/api/kinds/node-config.js';
import type { Spec } from '../../common/api/resources.js';
import type { ConfigService } from '../configs/service.js';
import type { KindHandler } from './handler.js';

export class NodeConfigResources implements KindHandler {
  readonly kind = 'NodeConfig';

  constructor(private readonly configs: ConfigService) {}

  async live(): Promise<Spec | undefined> {
    return undefined;
  }

  async implicit(): Promise<Array<{ name: string; spec: Spec; managedBy: string }>> {
    return [];
  }

  check(): void {}

  async precheckSet(items: ReadonlyArray<{ name: string; to: Spec; where: string }>, removed: readonly string[]): Promise<void> {
    await this.configs.check(
      items.map((i) => ({ name: i.name, spec: i.to as unknown as NodeConfigSpec, where: i.where })),
      removed,
    );
  }

  async apply(): Promise<void> {}

  async remove(): Promise<void> {}

  async status(name: string): Promise<Record<string, unknown>> {
    return { rendered: await this.configs.statusOf(name) };
  }

  async changed(): Promise<void> {
    await this.configs.sync();
  }
}
