// Counts what ingestion actually did with each file: parsed it, or skipped it because its
// fingerprint matched the stored document. The ingest CLI prints these (a re-run of an
// unchanged folder says "parsed: 0"), and /metrics exports them.
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../observability/metrics.service.js';

export interface IngestionCounts {
  /** Files that went through a parser. */
  parsed: number;
  /** Files found unchanged by fingerprint, before any parsing. */
  skippedUnchanged: number;
}

@Injectable()
export class IngestionStats {
  private readonly counts: IngestionCounts = { parsed: 0, skippedUnchanged: 0 };
  private readonly parsedTotal: Counter<'format'>;
  private readonly skippedTotal: Counter;

  constructor(metrics: MetricsService) {
    this.parsedTotal = new Counter({ name: 'sift_ingest_parsed_files_total', help: 'Files parsed at ingest, by format', labelNames: ['format'] as const, registers: [metrics.registry] });
    this.skippedTotal = new Counter({ name: 'sift_ingest_unchanged_files_total', help: 'Files skipped at ingest because their fingerprint matched the stored document', registers: [metrics.registry] });
  }

  recordParsed(format: string): void {
    this.counts.parsed += 1;
    this.parsedTotal.inc({ format });
  }

  recordUnchanged(): void {
    this.counts.skippedUnchanged += 1;
    this.skippedTotal.inc();
  }

  snapshot(): IngestionCounts {
    return { ...this.counts };
  }
}
