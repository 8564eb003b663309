// The process's logger: `LOG_FORMAT=json` writes one JSON object per line (for log shippers),
// `pretty` lines for a person. Nest's own start-up lines (modules initialised, ~30 "Mapped {…} route" lines) drown the
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

/** Keys whose values never reach a log line, in structured params at any depth. */
const SECRET_KEYS = ['authorization', 'apiKey', 'api_key', 'key', 'password', 'token', 'secret', 'GOOGLE_API_KEY', 'QDRANT_API_KEY', 'SIFT_API_KEYS'];

export function createLogger(format: 'json' | 'pretty'): SiftLogger {
  return format === 'json' ? new SiftLogger({ json: true, flattenParams: true, redact: SECRET_KEYS }) : new SiftLogger({ redact: SECRET_KEYS });
}
