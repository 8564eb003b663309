// Serves the web console: its pages (one route per page address, all answering index.html so
// the browser's router takes over) and its hashed asset files. The routes are public in the
// API-key sense: the console is static code, and it asks the person for a key and sends it on
// every API call it makes.
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { extname } from 'node:path';
import { ErrorCode, SiftError } from '../common/errors.js';
import { PublicRoute } from '../http/public-route.js';
import { CONSOLE_PAGES } from './console-pages.js';
import type { ConsoleFiles } from './console-files.js';

/** The built console read at start, or null when there is none to serve. */
export const CONSOLE_FILES = Symbol('CONSOLE_FILES');
export interface BuiltConsole {
  files: ConsoleFiles | null;
}

/**
 * The console talks to this origin only; scripts and styles are its own files (styles set from
 * script through the CSSOM, as Preact and uPlot do, are not inline styles to CSP).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

@ApiExcludeController()
@PublicRoute()
@Controller()
export class ConsoleController {
  private readonly files: ConsoleFiles | null;

  constructor(@Inject(CONSOLE_FILES) built: BuiltConsole) {
    this.files = built.files;
  }

  @Get([...CONSOLE_PAGES])
  page(@Res() response: Response): void {
    if (!this.files) {
      throw new SiftError(ErrorCode.RouteNotFound, 'The web console is not built: run "npm run build" (it writes dist/web), point SIFT_UI_DIR at a built console, or set SIFT_UI=false.');
    }
    response
      .status(200)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' })
      .send(this.files.indexHtml);
  }

  /** Asset names carry a content hash, so a browser may keep them for good. */
  @Get('assets/:file')
  asset(@Param('file') file: string, @Req() request: Request, @Res() response: Response): void {
    const asset = this.files?.assets.get(file);
    if (!asset) throw new SiftError(ErrorCode.RouteNotFound, `No console asset "${file}".`);
    const gzip = request.acceptsEncodings('gzip', 'identity') === 'gzip';
    response
      .status(200)
      .type(extname(file))
      .set({ 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) })
      .send(gzip ? asset.gzipped : asset.body);
  }
}
