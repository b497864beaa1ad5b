// bench:cni's stand-in for a running agent: the same CniSocketServer and
// plugin the agent wires (agent/net/agent-wiring.ts), without the rest of the
// agent, run by the bench inside its "host" namespace. Prints "listening"
// once the socket accepts calls; exits on SIGTERM.
import { ProcessRunner } from '../common/exec/runner.js';
import { CniSocketServer } from '../agent/net/cni-server.js';
import { IpBatchSession } from '../agent/net/ip-batch.js';
import { CniPlugin } from '../agent/net/plugin.js';
import { ProcSysctl } from '../agent/net/sysctl.js';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: cni-agent.js SOCKET\n');
  process.exit(2);
}
const hostIp = new IpBatchSession();
const server = new CniSocketServer(new CniPlugin({ runner: new ProcessRunner(), sysctl: new ProcSysctl(), hostBatch: hostIp.run }), path);
await server.listen();
process.stdout.write('listening\n');
process.on('SIGTERM', () => void server.close().then(() => hostIp.close()).then(() => process.exit(0)));
