/**
 * Running a command to its end, for the e2e layers and the benchmarks: output
 * captured (and shown only when the command fails), wall time measured.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Kill the command after this many seconds. */
  readonly timeout?: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a command; resolves with its output and duration, rejects with the tail of its whole output. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Both streams in the order they came, for the failure message.
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      output += chunk.toString();
    });
    const timer = options.timeout === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeout * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolvePromise({ stdout, stderr, seconds });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}\n${output.trim().slice(-6000)}`));
    });
  });
}
