// The build's non-TypeScript outputs: the .proto files the runtime loads.
import { cpSync, chmodSync, readFileSync } from 'node:fs';

// The monitors hostpilot ships (NPD-format JSON).
cpSync('agent/problems/defaults', 'dist/agent/problems/defaults', { recursive: true });
cpSync('proto/hostpilot', 'dist/proto/hostpilot', { recursive: true, filter: (src) => !src.endsWith('.ts') });
// The bin entries are executed directly (CNI runtimes, systemd units): make them executable.
for (const bin of Object.values(JSON.parse(readFileSync('package.json', 'utf8')).bin)) chmodSync(bin, 0o755);
