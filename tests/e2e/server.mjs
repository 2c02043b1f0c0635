// Starts the real server for the browser tests: `refettorio demo` on a free loopback port with
// a database in a fresh temporary directory, waits until GET / answers, and stops it with
// SIGTERM (SIGKILL after 5 s) at the end. The binary and the static folder come from
// $REFETTORIO_BIN and $REFETTORIO_STATIC (tests/run.sh sets them), else build/.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const DEMO = {
  tenantSlug: 'esempio',
  tenantName: 'Comune di Esempio',
  email: 'ufficio@comune.esempio.it',
  staffName: 'Giulia Bianchi',
  password: 'Mensa-Esempio-2026',
};

// A platform super-admin the browser tests create with the CLI (the demo has none).
export const SUPERADMIN = {
  email: 'root@piattaforma.example.it',
  name: 'Root Piattaforma',
  password: 'Piattaforma-Root-2026',
};

const START_TIMEOUT_MS = 15000;
const CLI_TIMEOUT_MS = 15000;

// Runs `refettorio ARGS...` with input on standard input; returns { status, output }.
export function runCli(args, input = '') {
  const bin = path.resolve(root, process.env.REFETTORIO_BIN || 'build/refettorio');
  const res = spawnSync(bin, args, { cwd: root, input, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  return { status: res.status, output: `${res.stdout || ''}${res.stderr || ''}` };
}
const STOP_TIMEOUT_MS = 5000;

// A port the kernel just handed out on 127.0.0.1; free again once the probe closes.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function answers(url) {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

// Returns { baseURL, port, dbPath, log(), stop() }.
export async function startServer() {
  const bin = path.resolve(root, process.env.REFETTORIO_BIN || 'build/refettorio');
  const staticDir = path.resolve(root, process.env.REFETTORIO_STATIC || 'build/static');
  if (!fs.existsSync(bin)) throw new Error(`${bin} does not exist: run make first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refettorio-e2e-'));
  const port = await freePort();
  const args = ['demo', '--db', path.join(dir, 'demo.sqlite'), '--port', String(port),
    '--static-dir', staticDir, '--no-banner'];
  const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b) => { output += b; });
  child.stderr.on('data', (b) => { output += b; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  exited.then(() => { done = true; });

  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(`${baseURL}/`))) {
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`server did not start (${bin} ${args.join(' ')}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    baseURL,
    port,
    dbPath: path.join(dir, 'demo.sqlite'),
    log: () => output,
    async stop() {
      if (!done) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      // A clean stop is part of the contract (and under AddressSanitizer a leak or memory error
      // shows up as a non-zero exit here).
      const { code, signal } = await exited;
      if (code !== 0) {
        throw new Error(`server exited with ${code ?? signal}:\n${output.slice(-4000)}`);
      }
      return exited;
    },
  };
}
