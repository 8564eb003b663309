// Nest's own start-up lines (modules initialised, ~30 "Mapped {…} route" lines) drown the
// few that help a newcomer. They are framework detail: shown at LOG_LEVEL=debug, not before.
import { ConsoleLogger } from '@nestjs/common';

const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

export class SiftLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
      this.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }
}
