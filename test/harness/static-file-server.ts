import { spawn } from 'child_process';
import * as fs from 'fs';

/** A static file server on 127.0.0.1, in a process of its own, logging each request. */
export interface StaticFileServer {
  readonly port: number;
  /** Requests it answered, e.g. `GET /crates/cfg-if/1.0.0/download 200`. */
  readonly log: string[];
  stop(): void;
}

/**
 * In a process of its own: the tools that fetch from it (cargo, Maven) run from the test's
 * synchronous spawns, which block the test's event loop.
 */
const SERVER = `
const fs = require('fs'), http = require('http'), path = require('path');
const [root, log] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  const file = path.join(root, path.normalize(decodeURIComponent(req.url.split('?')[0])));
  let status = 404, body = 'not found\\n';
  if (file.startsWith(root + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) { status = 200; body = fs.readFileSync(file); }
  fs.appendFileSync(log, req.method + ' ' + req.url + ' ' + status + '\\n');
  res.writeHead(status); res.end(req.method === 'HEAD' ? undefined : body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/**
 * Serves the files under `root` (nothing outside it), appending each request to `logFile`.
 * @param what what it serves, for the error when the server does not start
 */
export async function startStaticFileServer(root: string, logFile: string, what: string): Promise<StaticFileServer> {
  fs.writeFileSync(logFile, '');
  const server = spawn(process.execPath, ['-e', SERVER, root, logFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    server.once('exit', (code) => reject(new Error(`the ${what} server exited ${code}`)));
  });
  return {
    port,
    get log() {
      return fs.readFileSync(logFile, 'utf-8').split('\n').filter(Boolean);
    },
    stop: () => {
      server.kill('SIGTERM');
    },
  };
}
