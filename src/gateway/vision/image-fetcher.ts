// Downloads an image a vision request names by URL, safely: http(s) only, no credentials
// in the URL, a size limit (Content-Length and counted bytes), one time budget for the
// whole download, an image Content-Type, and at most a few redirects. Every host name is
// resolved here and *every* address it resolves to must pass the address policy before a
// connection is opened; the connection then goes to a checked address, so a DNS answer
// that changes between check and connect (rebinding) cannot slip through. Each redirect
// hop is checked the same way.
import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AppConfig } from '../../config/app-config.js';
import { ErrorCode, SiftError } from '../../common/errors.js';
import { anyAddress, publicAddressesOnly, type AddressPolicy } from './address-policy.js';
import { VISION_IMAGE_TYPES } from './image-check.js';

export interface FetchedImage {
  bytes: Uint8Array;
  /** The media type the server declared (checked to be an image type; the bytes are sniffed later). */
  contentType: string;
  /** The URL the image finally came from, after redirects. */
  url: string;
}

export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export interface ImageFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  policy: AddressPolicy;
  maxRedirects?: number;
  /** Resolves a host name to all its addresses; the system resolver by default. */
  resolve?: ResolveHost;
  signal?: AbortSignal;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const REFUSED = 'SIFT_ADDRESS_REFUSED';

const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

function refused(message: string): SiftError {
  return new SiftError(ErrorCode.ImageUrlRefused, message);
}

function refusedAddressMessage(host: string, address: string, range: string): string {
  const resolved = host === address ? '' : ` resolves to ${address}, which`;
  return `The image URL's host ${host}${resolved} is in a ${range} address range; Sift only fetches images from public addresses (VISION_ALLOW_PRIVATE_URLS=true lifts this).`;
}

/** A `lookup` for http(s).request that resolves every address and refuses the connection unless all pass. */
function guardedLookup(resolve: ResolveHost, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const bad = addresses.map((entry) => ({ entry, verdict: policy(entry.address) })).find(({ verdict }) => !verdict.allowed);
        if (addresses.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (bad) {
          callback(Object.assign(new Error(refusedAddressMessage(hostname, bad.entry.address, bad.verdict.range)), { code: REFUSED }), '', 0);
        } else if (options.all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

function checkUrl(raw: string, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(`"${raw.slice(0, 200)}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(`Image URLs must be http or https, not ${url.protocol.replace(/:$/, '')}.`);
  if (url.username || url.password) throw refused('Image URLs must not carry a user name or password.');
  // A literal address is never looked up, so it is judged here.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const verdict = policy(host);
    if (!verdict.allowed) throw refused(refusedAddressMessage(host, host, verdict.range));
  }
  return url;
}

function get(url: URL, lookup: LookupFunction, signal: AbortSignal): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // agent: false gives every request a fresh connection, so every hop goes through the lookup.
    const request = send(url, { method: 'GET', lookup, agent: false, signal, headers: { accept: VISION_IMAGE_TYPES.join(', '), 'user-agent': 'Sift-vision/1' } }, resolve);
    request.on('error', reject);
    request.end();
  });
}

function mediaTypeOf(response: IncomingMessage): string {
  return (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

async function readLimited(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers['content-length']);
  const tooLarge = (size: string) => new SiftError(ErrorCode.FileTooLarge, `The image at the URL has ${size} bytes; the limit is ${maxBytes} (VISION_MAX_IMAGE_BYTES).`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(String(declared));
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.destroy();
      throw tooLarge(`more than ${maxBytes}`);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function fetchFailure(error: unknown, budget: AbortSignal, timeoutMs: number, url: URL): unknown {
  if (error instanceof SiftError) return error;
  const shape = error as NodeJS.ErrnoException;
  if (shape.code === REFUSED) return refused(shape.message);
  if (budget.aborted) return new SiftError(ErrorCode.ImageFetchFailed, `The image at ${url.host} did not arrive within ${timeoutMs} ms (VISION_FETCH_TIMEOUT_MS).`);
  if (shape.name === 'AbortError') return error;
  const reason =
    shape.code === 'ENOTFOUND' || shape.code === 'EAI_AGAIN'
      ? `the host name ${url.hostname} does not resolve`
      : shape.code === 'ECONNREFUSED'
        ? `${url.host} refused the connection`
        : `${shape.code ?? shape.name}: ${shape.message}`;
  return new SiftError(ErrorCode.ImageFetchFailed, `The image URL could not be fetched: ${reason}.`);
}

export async function fetchImage(rawUrl: string, options: ImageFetchOptions): Promise<FetchedImage> {
  const budget = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, budget]) : budget;
  const lookup = guardedLookup(options.resolve ?? systemResolve, options.policy);
  const maxRedirects = options.maxRedirects ?? 3;
  let url = checkUrl(rawUrl, options.policy);
  for (let hop = 0; ; hop++) {
    try {
      const response = await get(url, lookup, signal);
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status) && response.headers.location) {
        response.resume();
        if (hop >= maxRedirects) throw new SiftError(ErrorCode.ImageFetchFailed, `The image URL redirected more than ${maxRedirects} times.`);
        url = checkUrl(new URL(response.headers.location, url).toString(), options.policy);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw new SiftError(ErrorCode.ImageFetchFailed, `The image URL answered HTTP ${status}.`);
      }
      const contentType = mediaTypeOf(response);
      if (!(VISION_IMAGE_TYPES as readonly string[]).includes(contentType)) {
        response.destroy();
        throw new SiftError(ErrorCode.UnsupportedType, `The image URL answered with Content-Type "${contentType || 'none'}"; Sift takes ${VISION_IMAGE_TYPES.join(', ')}.`);
      }
      return { bytes: await readLimited(response, options.maxBytes), contentType, url: url.toString() };
    } catch (error) {
      throw fetchFailure(error, budget, options.timeoutMs, url);
    }
  }
}

/** The fetcher with the configured limits and address policy; vision's one way out to the network. */
@Injectable()
export class ImageFetcher {
  constructor(private readonly config: AppConfig) {}

  fetch(url: string, signal?: AbortSignal): Promise<FetchedImage> {
    const v = this.config.values;
    return fetchImage(url, {
      maxBytes: v.VISION_MAX_IMAGE_BYTES,
      timeoutMs: v.VISION_FETCH_TIMEOUT_MS,
      policy: v.VISION_ALLOW_PRIVATE_URLS ? anyAddress : publicAddressesOnly,
      ...(signal ? { signal } : {}),
    });
  }
}
