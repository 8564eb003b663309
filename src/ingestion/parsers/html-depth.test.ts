import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../common/errors.js';
import { siftErrorOf } from '../../../test/helpers/sift-error-of.js';
import { assertHtmlDepth } from './html-depth.js';

describe('the HTML nesting limit', () => {
  it('lets a page at the limit through and refuses one element deeper, naming the setting', async () => {
    expect(() => assertHtmlDepth(`${'<div>'.repeat(100)}x${'</div>'.repeat(100)}`, 100, 'ok.html')).not.toThrow();
    const error = await siftErrorOf(Promise.resolve().then(() => assertHtmlDepth('<div>'.repeat(101), 100, 'deep.html')));
    expect(error.code).toBe(ErrorCode.FileTooComplex);
    expect(error.message).toMatch(/"deep\.html" nests HTML elements more than 100 deep.*HTML_MAX_DEPTH/);
  });

  it('counts elements that close themselves or are closed implicitly as closed', () => {
    const flat = '<p>one<p>two<br><img src=x><hr><input><ul><li>a<li>b</ul><table><tr><td>1<td>2<tr><td>3</table><dl><dt>t<dd>d</dl>'.repeat(2000);
    expect(() => assertHtmlDepth(`<html><body>${flat}</body></html>`, 50, 'flat.html')).not.toThrow();
  });

  it('stays linear where parse5 is quadratic: a million nested divs and a stack of stray end tags', () => {
    expect(() => assertHtmlDepth('<div>'.repeat(1_000_000), 512, 'bomb.html')).toThrow(/more than 512 deep/);
    expect(() => assertHtmlDepth(`${'<div>'.repeat(500)}${'</span>'.repeat(200_000)}`, 512, 'stray.html')).not.toThrow();
  });
});
