// POST /v1/vision: a prompt about one image, uploaded or fetched by URL. The image is
// checked (type from its content, size, completeness) before any model call, and goes to
// the model as an image part of the user turn.
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { ChatMessage } from '../../providers/chat-client.js';
import type { ProviderName, StageModel } from '../../providers/provider-types.js';
import type { UsageSummary } from '../../usage/usage-record.js';
import { UsageMeters } from '../../usage/usage-meters.js';
import { assertGatewayLimits } from '../chat.service.js';
import { GatewayModels } from '../gateway-models.js';
import { callModel } from '../../providers/model-call.js';
import { checkImage, type CheckedImage } from './image-check.js';
import { ImageFetcher } from './image-fetcher.js';

export type ImageInput = { kind: 'url'; url: string } | { kind: 'upload'; bytes: Uint8Array; fileName?: string };

export interface VisionRequest {
  image: ImageInput;
  prompt: string;
  maxTokens?: number;
  temperature?: number;
  provider?: ProviderName;
  model?: string;
}

export interface VisionResponse {
  response: string;
  model: StageModel;
  image: CheckedImage & { source: 'upload' | 'url'; url?: string };
  usage: UsageSummary;
}

@Injectable()
export class VisionService {
  constructor(
    private readonly config: AppConfig,
    private readonly models: GatewayModels,
    private readonly meters: UsageMeters,
    private readonly fetcher: ImageFetcher,
  ) {}

  async describe(request: VisionRequest, signal?: AbortSignal): Promise<VisionResponse> {
    assertGatewayLimits(this.config, { length: request.prompt.length, what: 'prompt' }, request.maxTokens);
    const model = this.models.resolve('vision', { provider: request.provider, model: request.model });
    const maxBytes = this.config.values.VISION_MAX_IMAGE_BYTES;
    const fetched = request.image.kind === 'url' ? await this.fetcher.fetch(request.image.url, signal) : null;
    const bytes = fetched ? fetched.bytes : (request.image as { bytes: Uint8Array }).bytes;
    const image = await checkImage(bytes, { maxBytes, what: fetched ? 'image at the URL' : 'uploaded image' });

    const messages: ChatMessage[] = [{ role: 'user', content: request.prompt, images: [{ mimeType: image.mimeType, base64: Buffer.from(bytes).toString('base64') }] }];
    const meter = this.meters.start();
    const v = this.config.values;
    const reply = await callModel(this.models.client('vision', model), messages, {
      stage: 'vision',
      meter,
      timeoutMs: v.GATEWAY_TIMEOUT_MS,
      maxRetries: v.MODEL_MAX_RETRIES,
      signal,
      ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    });
    return {
      response: reply.text,
      model,
      image: { ...image, source: fetched ? 'url' : 'upload', ...(fetched ? { url: fetched.url } : {}) },
      usage: meter.summary(),
    };
  }
}
