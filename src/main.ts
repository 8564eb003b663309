import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { createApp, logStartup } from './app.factory.js';

// The Google SDK keeps an un-awaited copy of each response stream; when a stream is cut
// off or cancelled, that copy rejects with nobody listening. Node would end the process on
// such a rejection; Sift has already handled the failure on its own path, so it logs it.
process.on('unhandledRejection', (reason) => {
  new Logger('Process').warn(`Unhandled rejection (ignored): ${reason instanceof Error ? reason.message : String(reason)}`);
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
