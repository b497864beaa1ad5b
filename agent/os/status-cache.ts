import type { OsBackend, OsStatus } from './backend.js';

// The flow reads the OS status fresh on every tick; heartbeats reuse the last
// read for up to `ttlMs` (the flow's check interval), so an idle agent does not
// run `ostree admin status` / `rpm-ostree status` on every heartbeat. Any change
// through the backend drops it.
export function cachedStatus(backend: OsBackend, onStatus: (s: OsStatus) => void, ttlMs: number) {
  let cached: { at: number; value: Promise<OsStatus> } | undefined;
  const fresh = (): Promise<OsStatus> => {
    const value = backend.status().then((s) => {
      onStatus(s);
      return s;
    });
    value.catch(() => (cached = undefined));
    cached = { at: Date.now(), value };
    return value;
  };
  const get = (): Promise<OsStatus> => (cached && Date.now() - cached.at <= ttlMs ? cached.value : fresh());
  const invalidating =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } finally {
        cached = undefined;
      }
    };
  return {
    get,
    backend: {
      status: fresh,
      deploy: invalidating((t: string) => backend.deploy(t)),
      upgrade: invalidating(() => backend.upgrade()),
      rollback: invalidating(() => backend.rollback()),
    },
  };
}
