import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { GatewayModels } from './gateway-models.js';

const gemini = { GOOGLE_API_KEY: 'k' };

describe('which model serves a gateway request', () => {
  it('follows the generation stage for chat, and chat for vision and classify, unless a stage says otherwise', () => {
    const config = loadConfig({ ...gemini, GENERATION_PROVIDER: 'gemini', CLASSIFY_PROVIDER: 'ollama', VISION_MODEL: 'gemini-2.5-flash' });
    expect(config.models.chat).toEqual({ provider: 'gemini', model: 'gemini-3.1-flash-lite' });
    expect(config.models.vision).toEqual({ provider: 'gemini', model: 'gemini-2.5-flash' });
    expect(config.models.classify).toEqual({ provider: 'ollama', model: 'gemma3:4b' });
    expect(loadConfig({ ...gemini, GENERATION_PROVIDER: 'gemini', CHAT_PROVIDER: 'none' }).models.vision).toBeNull();
  });

  it('needs GOOGLE_API_KEY for a gemini gateway stage or GATEWAY_MODELS entry, and well-formed entries', () => {
    expect(() => loadConfig({ CHAT_PROVIDER: 'gemini' })).toThrow(/GOOGLE_API_KEY.*CHAT_PROVIDER/);
    expect(() => loadConfig({ GATEWAY_MODELS: 'gemini:gemini-2.5-flash' })).toThrow(/GOOGLE_API_KEY/);
    expect(() => loadConfig({ GATEWAY_MODELS: 'openai:gpt-5' })).toThrow(/GATEWAY_MODELS.*provider:model/);
  });

  it('lets a request pick among the configured models only', () => {
    const models = new GatewayModels(loadConfig({ ...gemini, CHAT_PROVIDER: 'ollama', RERANK_PROVIDER: 'gemini', GATEWAY_MODELS: 'ollama:gemma3:12b,gemini:gemini-2.5-flash' }));
    expect(models.configured.map((model) => `${model.provider}:${model.model}`)).toEqual(['ollama:gemma3:4b', 'gemini:gemini-3.1-flash-lite', 'ollama:gemma3:12b', 'gemini:gemini-2.5-flash']);
    expect(models.resolve('chat')).toEqual({ provider: 'ollama', model: 'gemma3:4b' });
    expect(models.resolve('chat', { provider: 'gemini' })).toEqual({ provider: 'gemini', model: 'gemini-3.1-flash-lite' });
    expect(models.resolve('chat', { model: 'gemma3:12b' })).toEqual({ provider: 'ollama', model: 'gemma3:12b' });
    expect(models.resolve('classify', { provider: 'gemini', model: 'gemini-2.5-flash' })).toEqual({ provider: 'gemini', model: 'gemini-2.5-flash' });
    expect(() => models.resolve('chat', { model: 'gemini-3-pro' })).toThrow(expect.objectContaining({ code: 'MODEL_NOT_ALLOWED', message: expect.stringContaining('ollama:gemma3:4b') }));
    expect(() => models.resolve('chat', { provider: 'ollama', model: 'gemini-2.5-flash' })).toThrow(expect.objectContaining({ code: 'MODEL_NOT_ALLOWED' }));
  });

  it('names a provider that nothing here runs on as a provider, with what is configured', () => {
    const models = new GatewayModels(loadConfig({ ...gemini, GENERATION_PROVIDER: 'gemini' }));
    expect(() => models.resolve('chat', { provider: 'ollama' })).toThrow(
      expect.objectContaining({ code: 'MODEL_NOT_ALLOWED', message: 'The provider "ollama" is not configured for chat here; this server\'s chat models run on gemini (gemini:gemini-3.1-flash-lite). Add one with GATEWAY_MODELS.' }),
    );
  });

  it('says which variable to set when a stage has no model', () => {
    expect(() => new GatewayModels(loadConfig({})).resolve('vision')).toThrow(expect.objectContaining({ code: 'PROVIDER_NOT_CONFIGURED', message: expect.stringContaining('VISION_PROVIDER') }));
  });
});
