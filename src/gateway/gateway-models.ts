// Picks the chat model that serves a gateway request (chat, vision, classify): the stage's
// configured model, or the provider/model the request names, which must be one of the
// configured chat models. A caller can switch between what the operator set up, never
// spend on an arbitrary model the API key happens to reach.
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import type { ChatClient } from '../providers/chat-client.js';
import { createChatClient } from '../providers/model-clients.js';
import type { ProviderName, StageModel } from '../providers/provider-types.js';

export type GatewayStage = 'chat' | 'vision' | 'classify';

export interface ModelChoice {
  provider?: ProviderName;
  model?: string;
}

/** What each stage's clients start with; a request may override it where the API allows. */
const STAGE_TEMPERATURE: Record<GatewayStage, number> = {
  // A conversational default; requests set their own.
  chat: 0.7,
  // Descriptions of an image should stick to what is in it.
  vision: 0.2,
  // Labels should be repeatable.
  classify: 0,
};

const STAGE_VARIABLE: Record<GatewayStage, string> = {
  chat: 'CHAT_PROVIDER (or GENERATION_PROVIDER, which chat follows when CHAT_PROVIDER is unset)',
  vision: 'VISION_PROVIDER (or CHAT_PROVIDER, which vision follows when unset)',
  classify: 'CLASSIFY_PROVIDER (or CHAT_PROVIDER, which classify follows when unset)',
};

export function describeModel(model: StageModel): string {
  return `${model.provider}:${model.model}`;
}

@Injectable()
export class GatewayModels {
  private readonly clients = new Map<string, ChatClient>();

  constructor(private readonly config: AppConfig) {}

  /** Every chat model a request may name, the stages' own first. */
  get configured(): StageModel[] {
    return this.config.chatModels;
  }

  /** The model for a request; throws a 400 naming the allowed models when the choice is not one. */
  resolve(stage: GatewayStage, choice: ModelChoice = {}): StageModel {
    const own = this.config.models[stage];
    const allowed = this.configured;
    const allowedText = () => (allowed.length > 0 ? `configured: ${allowed.map(describeModel).join(', ')} (add more with GATEWAY_MODELS)` : 'no chat model is configured');
    if (!choice.provider && !choice.model) {
      if (own) return own;
      throw new SiftError(ErrorCode.ProviderNotConfigured, `No ${stage} model is configured: set ${STAGE_VARIABLE[stage]} to gemini or ollama.`);
    }
    const candidates = allowed.filter((model) => (!choice.provider || model.provider === choice.provider) && (!choice.model || model.model === choice.model));
    // The stage's own model wins when it matches, e.g. `provider` alone.
    const picked = candidates.find((model) => own && model.provider === own.provider && model.model === own.model) ?? candidates[0];
    if (picked) return picked;
    if (choice.provider && !allowed.some((model) => model.provider === choice.provider)) {
      // A provider alone, or with a model, that nothing here runs on: say it is the provider.
      const providers = [...new Set(allowed.map((model) => model.provider))];
      const offered = providers.length > 0 ? `this server's chat models run on ${providers.join(' and ')} (${allowed.map(describeModel).join(', ')})` : 'no chat model is configured';
      throw new SiftError(ErrorCode.ModelNotAllowed, `The provider "${choice.provider}" is not configured for chat here; ${offered}. Add one with GATEWAY_MODELS.`, { allowed: allowed.map(describeModel) });
    }
    const asked = [choice.provider, choice.model].filter(Boolean).join(':');
    throw new SiftError(ErrorCode.ModelNotAllowed, `The model "${asked}" is not one this server offers; ${allowedText()}.`, { allowed: allowed.map(describeModel) });
  }

  /** The client for a model, built once per model and stage. */
  client(stage: GatewayStage, model: StageModel): ChatClient {
    const key = `${stage}\0${model.provider}\0${model.model}`;
    let client = this.clients.get(key);
    if (!client) {
      client = createChatClient(this.config, model, { temperature: STAGE_TEMPERATURE[stage] })!;
      this.clients.set(key, client);
    }
    return client;
  }
}
