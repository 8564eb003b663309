import { describe, expect, it } from 'vitest';
import { ModeRules } from './fake-modes.js';

describe('ModeRules', () => {
  it('answers normally until a mode is set', () => {
    expect(new ModeRules().take('chat', 'chat').mode).toBe('normal');
  });

  it('applies a mode to every endpoint when none is named', () => {
    const rules = new ModeRules();
    rules.set('server-error');
    expect(rules.take('chat', 'chat').mode).toBe('server-error');
    expect(rules.take('embed', 'embed').mode).toBe('server-error');
  });

  it('limits a mode to one endpoint or one kind of endpoint', () => {
    const rules = new ModeRules();
    rules.set('rate-limit', { endpoint: 'streamGenerateContent', retryAfterSeconds: 7 });
    rules.set('garbage', { endpoint: 'embed' });
    expect(rules.take('generateContent', 'chat').mode).toBe('normal');
    expect(rules.take('streamGenerateContent', 'chat')).toMatchObject({ mode: 'rate-limit', retryAfterSeconds: 7 });
    expect(rules.take('batchEmbedContents', 'embed').mode).toBe('garbage');
  });

  it('spends a counted mode after N requests', () => {
    const rules = new ModeRules();
    rules.set('rate-limit', { times: 2 });
    expect(rules.take('chat', 'chat').mode).toBe('rate-limit');
    expect(rules.take('chat', 'chat').mode).toBe('rate-limit');
    expect(rules.take('chat', 'chat').mode).toBe('normal');
  });

  it('lets a counted rule sit on top of a standing one', () => {
    const rules = new ModeRules();
    rules.set('slow', { delayMs: 120 });
    rules.set('server-error', { times: 1 });
    expect(rules.take('chat', 'chat').mode).toBe('server-error');
    expect(rules.take('chat', 'chat')).toMatchObject({ mode: 'slow', delayMs: 120 });
  });

  it('replaces a standing rule for the same target and clears with normal', () => {
    const rules = new ModeRules();
    rules.set('hang', { endpoint: 'chat' });
    rules.set('garbage', { endpoint: 'chat' });
    rules.set('server-error', { endpoint: 'embed' });
    expect(rules.take('chat', 'chat').mode).toBe('garbage');
    rules.set('normal', { endpoint: 'chat' });
    expect(rules.take('chat', 'chat').mode).toBe('normal');
    expect(rules.take('embed', 'embed').mode).toBe('server-error');
    rules.set('normal');
    expect(rules.take('embed', 'embed').mode).toBe('normal');
  });
});
