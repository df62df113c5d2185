import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { CheckResult, Probe } from './types.js';
import { errorText } from './types.js';
import { TailBuffer } from './script-check.js';

export interface DockerSpec {
  containerId: string;
  /** argv to exec; when empty, `Script` is run with `shell -c`. */
  args: string[];
  script: string;
  shell: string;
}

export function dockerSpec(spec: Record<string, unknown>): DockerSpec {
  return {
    containerId: String(spec.DockerContainerID ?? ''),
    args: Array.isArray(spec.Args) ? spec.Args.map(String) : [],
    script: typeof spec.Script === 'string' ? spec.Script : '',
    shell: typeof spec.Shell === 'string' && spec.Shell ? spec.Shell : '/bin/sh',
  };
}

/** The Docker daemon as `DOCKER_HOST` or the default socket names it. */
export async function dockerClient(): Promise<Docker> {
  const { default: DockerCtor } = await import('dockerode');
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return new DockerCtor({ socketPath: host.slice('unix://'.length) });
  if (host && /^(tcp|http|https):\/\//.test(host)) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return new DockerCtor({ host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === 'https:' ? 'https' : 'http' });
  }
  return new DockerCtor({ socketPath: '/var/run/docker.sock' });
}

/** A Docker check: runs a command inside a container; exit 0 passing, 1 warning, else critical. */
export function dockerProbe(spec: DockerSpec, client: () => Promise<Docker> = dockerClient): Probe {
  return async (ctx): Promise<CheckResult> => {
    const cmd = spec.args.length > 0 ? spec.args : spec.script ? [spec.shell, '-c', spec.script] : [];
    if (cmd.length === 0) return { status: 'critical', output: 'docker check has no command' };
    try {
      const docker = await client();
      const exec = await docker.getContainer(spec.containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false });
      const stream = await exec.start({ hijack: true, stdin: false });
      const out = new TailBuffer(ctx.outputMaxSize);
      const sink = new PassThrough();
      sink.on('data', (c: Buffer) => out.write(c));
      docker.modem.demuxStream(stream, sink, sink);
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          stream.destroy();
          reject(new Error(`Timed out running check in container ${spec.containerId}`));
        };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        stream.on('end', () => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve();
        });
        stream.on('close', () => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve();
        });
        stream.on('error', reject);
      });
      const info = await exec.inspect();
      const output = out.toString();
      if (info.ExitCode === 0) return { status: 'passing', output };
      if (info.ExitCode === 1) return { status: 'warning', output };
      return { status: 'critical', output: output || `exit ${info.ExitCode ?? 'unknown'}` };
    } catch (err) {
      return { status: 'critical', output: errorText(err) };
    }
  };
}
