// Managing API keys (admin keys only): create one (its secret is shown in this answer and
// never again), list them without secrets, delete one (it stops working at once, in every
// worker process). Thin: validate, call the key store, shape the answer.
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { newKeySchema, type NewKeyParsed } from '../auth/api-key.js';
import { AuthService } from '../auth/auth.service.js';
import { KeyExistsError } from '../auth/key-store.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { jsonSchemaOf } from './request-schemas.js';
import { Needs } from './route-needs.js';
import { Answers, JSON_BODY_FAILURES } from './api-contract.js';
import * as responses from './response-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
@Needs('admin')
export class KeysController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a key with a name, role (admin, write, read), collection scope and optional rate limit and monthly budget; the secret is in this answer only' })
  @ApiBody({ schema: jsonSchemaOf(newKeySchema) })
  @Answers({ 201: { description: 'The key and its secret (shown this once)', schema: responses.keyCreatedSchema } }, { fails: [...JSON_BODY_FAILURES, ErrorCode.KeyExists] })
  create(@Body(new ZodValidationPipe(newKeySchema)) body: NewKeyParsed) {
    try {
      const { key, secret } = this.auth.keys.create(body);
      return { key, secret };
    } catch (error) {
      if (error instanceof KeyExistsError) throw new SiftError(ErrorCode.KeyExists, error.message);
      throw error;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Keys with their roles, scopes, limits, created and last-used times; never secrets' })
  @Answers({ 200: { description: 'Every key, without secrets', schema: responses.keysListSchema } })
  list() {
    return { keys: this.auth.keys.list() };
  }

  @Delete(':name')
  @ApiOperation({ summary: 'Revoke a key: it stops working at once, in every worker process' })
  @Answers({ 200: { description: 'Revoked', schema: responses.keyDeletedSchema } }, { fails: [ErrorCode.KeyNotFound] })
  revoke(@Param('name') name: string) {
    if (!this.auth.keys.delete(name)) throw new SiftError(ErrorCode.KeyNotFound, `No key is named "${name}".`);
    return { name, deleted: true };
  }
}
