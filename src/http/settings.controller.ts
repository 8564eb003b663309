// The server's setup as a client may see it (read only): providers and models per stage,
// the store, retrieval and rerank defaults, limits.
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService } from '../auth/auth.service.js';
import { AppConfig } from '../config/app-config.js';
import { publicSettings } from '../config/public-settings.js';
import { Answers } from './api-contract.js';
import * as responses from './response-schemas.js';
import { Needs } from './route-needs.js';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings')
export class SettingsController {
  constructor(
    private readonly config: AppConfig,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @Needs('read')
  @ApiOperation({ summary: 'Which provider and model serve each stage, the store, retrieval and rerank defaults, and the limits (no secrets)' })
  @Answers({ 200: { description: 'The server\'s setup, without secrets', schema: responses.settingsSchema } })
  settings() {
    return publicSettings(this.config, { keysRequired: this.auth.keysRequired });
  }
}
