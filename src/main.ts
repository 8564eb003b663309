import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { createApp, logStartup } from './app.factory.js';

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
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const shownHost = config.host === '0.0.0.0' ? 'localhost' : config.host;
  logStartup(config, `http://${shownHost}:${config.port}`);
}

void main();
