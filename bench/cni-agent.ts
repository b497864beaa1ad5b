// bench:cni's stand-in for a running agent: the same CniSocketServer and
// plugin the agent wires (agent/net/agent-wiring.ts, agent-plugin.ts),
// without the rest of the agent, run by the bench inside its "host"
// namespace. Prints "listening" once the socket accepts calls; exits on SIGTERM.
import { ProcessRunner } from '../common/exec/runner.js';
import { agentCniPlugin } from '../agent/net/agent-plugin.js';
import { CniSocketServer } from '../agent/net/cni-server.js';
import { ProcSysctl } from '../agent/net/sysctl.js';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: cni-agent.js SOCKET\n');
  process.exit(2);
}
const cni = agentCniPlugin(new ProcessRunner(), { sysctl: new ProcSysctl() });
if (!cni.nativeHelper) {
  process.stderr.write('cni-agent: dist/native/hostpilot-nethelper is missing (npm run build)\n');
  process.exit(1);
}
const server = new CniSocketServer(cni.plugin, path);
await server.listen();
process.stdout.write('listening\n');
process.on('SIGTERM', () => void server.close().then(() => cni.close()).then(() => process.exit(0)));
