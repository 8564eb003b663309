// First: on another Node.js the native SQLite module would crash the process unexplained.
import './common/node-version-check.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { config as loadDotenv } from 'dotenv';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { runPrimary } from './cluster/cluster-primary.js';

// A rejection nobody handles is a bug (the known one, in the Google SDK's stream copies, is
// handled in providers/langchain-chat.ts). Log it loudly instead of dropping every request
// in flight with the process.
process.on('unhandledRejection', (reason) => {
  new Logger('Process').error(`Unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\nFix the variable(s) above (see .env.example) and start again.`);
      process.exit(1);
    }
    throw error;
  }
  if (config.values.SIFT_WORKERS > 1 && cluster.isPrimary) {
    await runPrimary(config.values.SIFT_WORKERS);
    return;
  }
  if (config.role.clustered) {
    // Ctrl-C reaches every process of the group; the primary turns it into one SIGTERM per
    // worker, and a second signal during the graceful stop would cut it short.
    process.on('SIGINT', () => undefined);
  }
  // Loaded here, not at the top: the primary of a cluster needs none of the application.
  const { createApp, logStartup, warnAboutUnreachableDependencies } = await import('./app.factory.js');
  const { AuthService } = await import('./auth/auth.service.js');
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const shownHost = config.host === '0.0.0.0' ? 'localhost' : config.host;
  if (config.role.slot === 1) {
    const auth = app.get(AuthService);
    logStartup(config, `http://${shownHost}:${config.port}`, { keysRequired: auth.keysRequired, storedKeys: auth.keys.list().length });
    await warnAboutUnreachableDependencies(app, config);
  }
}

void main().catch((error: unknown) => {
  new Logger('Sift').fatal(`Could not start: ${describeStartFailure(error)}`);
  process.exit(1);
});

function describeStartFailure(error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = `${failure.address ?? 'the address'}:${failure.port ?? '?'}`;
  if (failure.code === 'EADDRINUSE') return `${where} is already in use. Stop what listens there, or set PORT (and HOST) to a free address.`;
  if (failure.code === 'EACCES') return `no permission to listen on ${where}. Use a port above 1023, or give the process that right.`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
