// Background jobs as clients see them: state, progress and per-item results. Any kind of
// job answers here; the kind adds its own fields (an upload adds `collection`, `documents`
// and `summary`).
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, SiftError } from '../common/errors.js';
import type { Caller } from '../auth/caller.js';
import { JobRunner } from '../jobs/job-runner.js';
import type { JobOwner } from '../jobs/job-types.js';
import { RequestCaller } from './request-caller.js';
import { Needs } from './route-needs.js';
import { listJobsQuerySchema, type ListJobsQuery } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';
import { Answers, QueryParameters } from './api-contract.js';
import * as responses from './response-schemas.js';

/** A key sees the jobs it submitted and those on collections in its scope; a key for all collections sees every job. */
function jobsVisibleTo(caller: Caller): ((owner: JobOwner) => boolean) | undefined {
  if (caller.scope.coversAll) return undefined;
  return (owner) => (owner.keyName !== null && owner.keyName === caller.keyName) || (owner.collection !== null && caller.scope.allows(owner.collection));
}

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
@Needs('read')
export class JobsController {
  constructor(private readonly runner: JobRunner) {}

  @Get()
  @ApiOperation({ summary: 'Jobs, newest first, optionally of one state and kind: state and progress without per-item results' })
  @QueryParameters(listJobsQuerySchema)
  @Answers({ 200: { description: 'A page of jobs', schema: responses.jobsListSchema } }, { fails: [ErrorCode.ValidationFailed, ErrorCode.RedisUnavailable] })
  async listJobs(@Query(new ZodValidationPipe(listJobsQuerySchema, 'query string')) query: ListJobsQuery, @RequestCaller() caller: Caller) {
    const { state, kind, limit, offset } = query;
    const { jobs, total } = await this.runner.list({ state, kind }, { limit, offset }, jobsVisibleTo(caller));
    return { jobs, total, limit, offset };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A background job: state (queued, running, succeeded, failed, interrupted), progress and per-item results' })
  @Answers({ 200: { description: 'The job', schema: responses.jobEnvelopeSchema } }, { fails: [ErrorCode.JobNotFound, ErrorCode.RedisUnavailable] })
  async getJob(@Param('id') id: string, @RequestCaller() caller: Caller) {
    // A job the key may not see answers as an unknown one.
    const job = await this.runner.view(id, jobsVisibleTo(caller));
    if (!job) throw new SiftError(ErrorCode.JobNotFound, `No job "${id}" is known here: it never existed, or it finished long enough ago to be forgotten (JOB_RETENTION_HOURS).`);
    return { job };
  }
}
