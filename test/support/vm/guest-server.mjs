// The guest command server of the device-mapper test VM. Runs inside the
// guest (plain JavaScript: the guest has node but no TypeScript toolchain) and
// executes each request through the project's own ProcessRunner from dist/.
// Protocol: one TCP connection per request; the client sends one JSON line
// {argv, input?, timeoutMs?, okExitCodes?, maxOutputBytes?} and half-closes;
// the server answers one JSON line {ok:true,result} | {ok:false,error} and closes.
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [port, root] = process.argv.slice(2);
const { ProcessRunner, CommandError } = await import(pathToFileURL(join(root, 'dist/common/exec/runner.js')).href);
const runner = new ProcessRunner({ ...process.env, LVM_SUPPRESS_FD_WARNINGS: '1' });
let stopping = false;

const server = createServer({ allowHalfOpen: true }, (socket) => {
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => {});
  socket.on('end', async () => {
    let reply;
    try {
      const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (req.shutdown) {
        stopping = true;
        reply = { ok: true, result: { argv: [], exitCode: 0, stdout: '', stderr: '', truncated: false, durationMs: 0 } };
      } else {
        const result = await runner.run({
          argv: req.argv,
          input: req.input,
          timeoutMs: req.timeoutMs,
          okExitCodes: req.okExitCodes,
          maxOutputBytes: req.maxOutputBytes,
          cwd: req.cwd,
          env: req.env,
        });
        reply = { ok: true, result };
        process.stdout.write(`hostpilot-guest-server: ${req.argv.join(' ').slice(0, 120)} (${Math.round(result.durationMs)} ms)\n`);
      }
    } catch (err) {
      reply =
        err instanceof CommandError
          ? { ok: false, error: { failure: err.failure, argv: err.argv, exitCode: err.exitCode, signal: err.signal, stdout: err.stdout, stderr: err.stderr, message: err.message } }
          : { ok: false, error: { failure: 'internal', message: String(err && err.stack ? err.stack : err) } };
    }
    socket.end(JSON.stringify(reply) + '\n', () => {
      if (stopping) server.close(() => process.exit(0));
    });
  });
});
server.listen(Number(port), '0.0.0.0', () => {
  process.stdout.write(`hostpilot-guest-server: listening on ${port}\n`);
});
