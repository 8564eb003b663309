// Nest's Express adapter, answering plain JSON bodies in one write. Express's res.json()
// copies the serialized text into a Buffer to measure it and hands the socket the headers
// and that Buffer as two chunks; for a /search answer (10 passages, ~15 KB) that was ~85 µs
// of the ~1.4 ms a request costs at 400k chunks. Here the text is measured in place and
// Node sends headers and body as one string. Anything res.send() would treat specially —
// a set Content-Type, conditional requests (304), HEAD, 204/205/304 statuses, ETags or JSON
// settings — takes Express's own path, so the bytes and headers on the wire stay the same.
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Request, Response } from 'express';

/** The Content-Type res.json() ends up with (res.send adds the charset). */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export class JsonReplyAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!isPlainJson(body) || !sendsPlainly(response, statusCode)) return super.reply(response, body, statusCode);
    if (statusCode !== undefined && statusCode !== null) response.status(statusCode);
    const text = JSON.stringify(body);
    response.setHeader('Content-Type', JSON_CONTENT_TYPE);
    response.setHeader('Content-Length', Buffer.byteLength(text));
    response.end(text);
    return response;
  }
}

/** An object literal or an array: what Nest would hand to res.json() as it is. */
function isPlainJson(body: unknown): body is object {
  if (typeof body !== 'object' || body === null) return false;
  const prototype = Object.getPrototypeOf(body) as unknown;
  return prototype === Object.prototype || prototype === null || Array.isArray(body);
}

/** True when res.json() would do nothing but serialize, set the two headers and end. */
function sendsPlainly(response: Response, statusCode: number | undefined): boolean {
  const request = response.req as Request;
  const status = statusCode ?? response.statusCode;
  const app = response.app;
  return (
    request.method !== 'HEAD' &&
    status !== 204 &&
    status !== 205 &&
    status !== 304 &&
    request.headers['if-none-match'] === undefined &&
    request.headers['if-modified-since'] === undefined &&
    response.getHeader('Content-Type') === undefined &&
    response.getHeader('Transfer-Encoding') === undefined &&
    response.getHeader('ETag') === undefined &&
    typeof app.get('etag fn') !== 'function' &&
    app.get('json replacer') === undefined &&
    app.get('json spaces') === undefined &&
    !app.get('json escape')
  );
}
