// Test helper: a two-shard ClickHouse cluster on this machine, from Debian's
// clickhouse-server: two processes on loopback ports, config and data in a temp folder,
// cluster `reaplay` over both (remote_servers), stopped by their pids.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';
export const HAVE_CLICKHOUSE = existsSync(CLICKHOUSE_SERVER);

export interface LocalCluster {
  /** HTTP URLs of the two shards; queries go to the first. */
  urls: string[];
  pids: number[];
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function config(dir: string, http: number, tcp: number, shards: number[]): string {
  const replicas = shards.map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`).join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
  <remote_servers><reaplay>${replicas}</reaplay></remote_servers>
</yandex>
`;
}

async function ready(url: string, proc: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`clickhouse-server exited (${proc.exitCode}); see ${dir}/error.log`);
    try {
      const r = await fetch(`${url}/ping`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`clickhouse-server at ${url} did not answer within 60 s`);
}

export async function startLocalCluster(): Promise<LocalCluster> {
  const root = mkdtempSync(join(tmpdir(), 'reaplay-clickhouse-'));
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const nodes = [0, 1].map((i) => ({ dir: join(root, `shard${i + 1}`), http: ports[2 * i]!, tcp: ports[2 * i + 1]! }));
  const procs: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((res) => {
            if (p.exitCode !== null || p.pid === undefined) return res();
            const kill = setTimeout(() => process.kill(p.pid!, 'SIGKILL'), 15_000);
            p.once('exit', () => (clearTimeout(kill), res()));
            process.kill(p.pid, 'SIGTERM');
          }),
      ),
    );
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const n of nodes) {
      mkdirSync(n.dir, { recursive: true });
      const cfg = join(n.dir, 'config.xml');
      writeFileSync(cfg, config(n.dir, n.http, n.tcp, nodes.map((m) => m.tcp)));
      procs.push(spawn(CLICKHOUSE_SERVER, [`--config-file=${cfg}`], { cwd: n.dir, stdio: 'ignore' }));
    }
    const urls = nodes.map((n) => `http://127.0.0.1:${n.http}`);
    await Promise.all(urls.map((u, i) => ready(u, procs[i]!, nodes[i]!.dir)));
    return { urls, pids: procs.map((p) => p.pid!), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
