// The small interfaces the reboot flow acts through (kured's shape: one
// method each, one implementation per file).

export interface LockReply {
  granted: boolean;
  holders: string[];
}

/** The cluster-wide reboot lock, over gRPC or FleetLock HTTP. */
export interface RebootLock {
  acquire(): Promise<LockReply>;
  release(): Promise<void>;
}

/** Says why a reboot may not happen now; null when it may. Throwing blocks too. */
export interface RebootBlocker {
  readonly name: string;
  isBlocked(): Promise<string | null>;
}

/** Problems that make the node unhealthy after boot; empty when healthy. */
export interface HealthCheck {
  readonly name: string;
  problems(): Promise<string[]>;
}

export interface Rebooter {
  /** Reboots the node. Production implementations refuse without the lock. */
  reboot(reason: string): Promise<void>;
}

/** Cordon and drain around the reboot (Kubernetes nodes); see agent/k8s. */
export interface Drainer {
  prepare(): Promise<{ ok: true; cordonedByUs: boolean } | { ok: false; reason: string }>;
  finish(cordonedByUs: boolean): Promise<void>;
}

/** What the flow needs of the OS backend (agent/os). */
export interface FlowOs {
  /** `bootc` is present on bootc deployments only: their checksum is the image digest. */
  status(): Promise<{ deployments: Array<{ checksum: string; version: string; origin: string; booted: boolean; staged: boolean; index: number; osname?: string; bootc?: { image: string } }> }>;
  deploy(target: string): Promise<unknown>;
  upgrade(): Promise<unknown>;
  rollback(): Promise<unknown>;
}
