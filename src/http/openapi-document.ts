// The OpenAPI document served at /docs/openapi.json: Nest's scan of the controllers (request
// schemas from request-schemas.ts, responses from api-contract.ts), a plain bearer scheme, and
// the limits that come from the configuration rather than the code (max_tokens).
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config.js';

export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('Sift')
    .setDescription('RAG service with a fast reranking layer: upload documents, search them, ask questions with cited answers.')
    .setVersion('1')
    // An API key from SIFT_API_KEYS, sent as `Authorization: Bearer <key>`; it is not a JWT.
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A key from SIFT_API_KEYS' })
    .build();
  const document = SwaggerModule.createDocument(app, base);
  // Nest fills in bearerFormat "JWT" by default; Sift's keys are opaque strings.
  const bearer = document.components?.securitySchemes?.bearer as { bearerFormat?: string } | undefined;
  if (bearer) delete bearer.bearerFormat;
  // zod writes JSON Schema 2020-12 (type: "null", anyOf), which is OpenAPI 3.1's dialect.
  document.openapi = '3.1.0';
  boundMaxTokens(document, config.values.CHAT_MAX_OUTPUT_TOKENS);
  return document;
}

/** Every `max_tokens` a request body takes is bounded by CHAT_MAX_OUTPUT_TOKENS, as the services check. */
function boundMaxTokens(node: unknown, limit: number): void {
  if (Array.isArray(node)) {
    for (const item of node) boundMaxTokens(item, limit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'max_tokens' && value && typeof value === 'object') setMaximum(value as Record<string, unknown>, limit);
    boundMaxTokens(value, limit);
  }
}

function setMaximum(schema: Record<string, unknown>, limit: number): void {
  if (schema.type === 'integer' || schema.type === 'number') {
    schema.maximum = limit;
    return;
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(schema[key])) for (const part of schema[key] as Record<string, unknown>[]) setMaximum(part, limit);
  }
}
