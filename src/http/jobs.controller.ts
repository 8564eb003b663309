// Background jobs as clients see them: state, progress and per-item results. Any kind of
// job answers here; the kind adds its own fields (an upload adds `collection`, `documents`
// and `summary`).
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, SiftError } from '../common/errors.js';
import { JobRunner } from '../jobs/job-runner.js';
import { listJobsQuerySchema, type ListJobsQuery } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly runner: JobRunner) {}

  @Get()
  @ApiOperation({ summary: 'Jobs, newest first, optionally of one state and kind: state and progress without per-item results' })
  listJobs(@Query(new ZodValidationPipe(listJobsQuerySchema, 'query string')) query: ListJobsQuery) {
    const { state, kind, limit, offset } = query;
    const { jobs, total } = this.runner.list({ state, kind }, { limit, offset });
    return { jobs, total, limit, offset };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A background job: state (queued, running, succeeded, failed, interrupted), progress and per-item results' })
  getJob(@Param('id') id: string) {
    const job = this.runner.view(id);
    if (!job) throw new SiftError(ErrorCode.JobNotFound, `No job "${id}" is known here: it never existed, or it finished long enough ago to be forgotten (JOB_RETENTION_HOURS).`);
    return { job };
  }
}
