// Request bodies of the OpenAI-compatible routes. OpenAI clients send many optional fields
// Sift has no use for (top_p, user, seed, …), so unknown fields are ignored; what would
// change the answer's shape and cannot be honoured (n > 1, tools) is refused by the service.
import { z } from 'zod';

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.union([z.string().min(1), z.looseObject({ url: z.string().min(1).max(20_000_000) })]),
});
const contentPart = z.discriminatedUnion('type', [textPart, imagePart]);

export const chatCompletionMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart).max(100), z.null()]).optional(),
});

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().trim().min(1).max(200),
  messages: z.array(chatCompletionMessageSchema).min(1, 'send at least one message').max(10_000),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  n: z.number().int().nullish(),
  tools: z.array(z.unknown()).nullish(),
  functions: z.array(z.unknown()).nullish(),
});

export type ChatCompletionRequestBody = z.infer<typeof chatCompletionRequestSchema>;
export type ChatCompletionMessage = z.infer<typeof chatCompletionMessageSchema>;
