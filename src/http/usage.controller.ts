import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UsageLedger } from '../usage/usage-ledger.service.js';
import { usageQuerySchema, type UsageQueryParams } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly ledger: UsageLedger) {}

  @Get()
  @ApiOperation({ summary: 'Model tokens and estimated cost by day, stage, provider and model (from DATA_DIR/usage.jsonl)' })
  async usage(@Query(new ZodValidationPipe(usageQuerySchema, 'query string')) query: UsageQueryParams) {
    return this.ledger.aggregate(query);
  }
}
