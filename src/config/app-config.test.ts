import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('works out of the box with documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('./data');
    expect(config.values.SIFT_STORE).toBe('sqlite');
    expect(config.values.SQLITE_LEXICAL_INDEX).toBe('memory');
    expect(config.apiKeys).toEqual([]);
    expect(config.limits.uploadBytes).toBe(50 * 1024 * 1024);
  });

  it('treats empty values as unset, as .env files write them', () => {
    expect(loadConfig({ PORT: '', SIFT_API_KEYS: '' }).port).toBe(3000);
  });

  it('splits API keys on commas and trims them', () => {
    expect(loadConfig({ SIFT_API_KEYS: ' a1 ,b2,, ' }).apiKeys).toEqual(['a1', 'b2']);
  });

  it('shares the caches only with REDIS_URL, within the TTL and memory bound it is given', () => {
    expect(loadConfig({ SHARED_CACHE_MAX_MB: '8' }).sharedCache).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).sharedCache).toEqual({ ttlMs: 86_400_000, maxBytes: 64 * 2 ** 20 });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', SHARED_CACHE_MAX_MB: '0.5', SHARED_CACHE_TTL_SECONDS: '60' }).sharedCache).toEqual({ ttlMs: 60_000, maxBytes: 2 ** 19 });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', SHARED_CACHE_MAX_MB: '0' }).sharedCache).toBeNull();
    expect(() => loadConfig({ SHARED_CACHE_MAX_MB: '-1' })).toThrow(/SHARED_CACHE_MAX_MB \(got "-1"\)/);
    expect(() => loadConfig({ SHARED_CACHE_TTL_SECONDS: '0' })).toThrow(/SHARED_CACHE_TTL_SECONDS \(got "0"\)/);
  });

  it('names the bad variable, the value and what is allowed', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT \(got "70000"\).*65535/);
    expect(() => loadConfig({ SIFT_STORE: 'mongo' })).toThrow(/SIFT_STORE \(got "mongo"\).*"sqlite"/);
    expect(() => loadConfig({ MAX_UPLOAD_BYTES: '-1' })).toThrow(/MAX_UPLOAD_BYTES/);
    expect(() => loadConfig({ SQLITE_LEXICAL_INDEX: 'lucene' })).toThrow(/SQLITE_LEXICAL_INDEX \(got "lucene"\).*"memory"/);
    expect(() => loadConfig({ SQLITE_DENSE_QUANTIZATION: 'int8' })).toThrow(/SQLITE_DENSE_QUANTIZATION \(got "int8"\).*"bit"/);
    expect(() => loadConfig({ SQLITE_DENSE_OVERSAMPLING: '0' })).toThrow(/SQLITE_DENSE_OVERSAMPLING/);
  });

  it('holds slow clients for seconds, not minutes, and refuses a headers timeout past the request timeout', () => {
    expect(loadConfig({}).limits).toMatchObject({ headersTimeoutMs: 20_000, requestTimeoutMs: 600_000 });
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS \(got "5000"\).*HTTP_REQUEST_TIMEOUT_MS/);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('refuses an overlap as large as the chunk', () => {
    expect(() => loadConfig({ CHUNK_TOKENS: '100', CHUNK_OVERLAP_TOKENS: '100' })).toThrow(/CHUNK_OVERLAP_TOKENS/);
  });
});
