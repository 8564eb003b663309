import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/caller.js';
import { UsageLedger } from '../usage/usage-ledger.service.js';
import { RequestCaller } from './request-caller.js';
import { Needs } from './route-needs.js';
import { usageQuerySchema, type UsageQueryParams } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';
import { Answers, QueryParameters } from './api-contract.js';
import * as responses from './response-schemas.js';
import { ErrorCode } from '../common/errors.js';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly ledger: UsageLedger) {}

  @Get()
  @Needs('read')
  @ApiOperation({ summary: 'Model tokens and estimated cost by day, stage, provider and model (and key, with groupBy=key); an admin key sees every key\'s calls, another key its own' })
  @QueryParameters(usageQuerySchema)
  @Answers({ 200: { description: 'Rows by day, stage, provider and model, and totals', schema: responses.usageReportSchema } }, { fails: [ErrorCode.ValidationFailed] })
  async usage(@Query(new ZodValidationPipe(usageQuerySchema, 'query string')) query: UsageQueryParams, @RequestCaller() caller: Caller) {
    const ownOnly = caller.role !== 'admin';
    return this.ledger.aggregate({ from: query.from, to: query.to, groupByKey: query.groupBy === 'key', ...(ownOnly ? { key: caller.keyName ?? '' } : {}) });
  }
}
