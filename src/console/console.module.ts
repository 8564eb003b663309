// The web console in the API's own process and port, when SIFT_UI is on (the default).
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { consoleDir, readConsoleFiles } from './console-files.js';
import { CONSOLE_FILES, ConsoleController, type BuiltConsole } from './console.controller.js';

@Module({})
export class ConsoleModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.values.SIFT_UI) return { module: ConsoleModule };
    const dir = consoleDir(config.values.SIFT_UI_DIR);
    const files = readConsoleFiles(dir);
    if (!files && config.role.slot === 1) new Logger('Console').warn(`No built console in ${dir}: "/" will say so. Run "npm run build", or set SIFT_UI=false.`);
    return {
      module: ConsoleModule,
      controllers: [ConsoleController],
      providers: [{ provide: CONSOLE_FILES, useValue: { files } satisfies BuiltConsole }],
    };
  }
}
