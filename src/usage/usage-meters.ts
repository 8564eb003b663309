import { Injectable } from '@nestjs/common';
import { currentCaller, type Caller } from '../auth/caller.js';
import { AppConfig } from '../config/app-config.js';
import { PriceTable } from './price-table.js';
import { UsageLedger } from './usage-ledger.service.js';
import { UsageMeter } from './usage-meter.js';

/** Hands each request or ingest its own meter, all writing to the one ledger. */
@Injectable()
export class UsageMeters {
  readonly prices: PriceTable;

  constructor(
    private readonly ledger: UsageLedger,
    config: AppConfig,
  ) {
    this.prices = new PriceTable(config.priceOverrides);
  }

  /** A meter for the calls of the current request (or job), charged to its caller's key; `api` marks the records of a request to a standard API (rerank API, chat completions). */
  start(api?: string, caller: Caller | null = currentCaller()): UsageMeter {
    return new UsageMeter(this.ledger, this.prices, api, caller);
  }
}
