import { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { MAX_BODY_BYTES, readJsonBody } from './body';

const schema = z.object({ amount: z.number().int().min(1) }).strict();

function request(body: string | undefined, contentType = 'application/json'): HttpRequest {
  return new HttpRequest({
    url: 'http://localhost/api/test',
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    body: body === undefined ? undefined : { string: body },
  });
}

async function problemOf(
  result: Awaited<ReturnType<typeof readJsonBody>>,
): Promise<{ status?: number; body: Record<string, unknown> }> {
  if (result.ok) throw new Error('expected a problem');
  return { status: result.response.status, body: JSON.parse(String(result.response.body)) };
}

describe('readJsonBody', () => {
  it('returns the parsed value when the body matches the schema', async () => {
    await expect(readJsonBody(request('{"amount":5}'), schema)).resolves.toEqual({
      ok: true,
      value: { amount: 5 },
    });
  });

  it('answers 415 when the body is not declared as JSON', async () => {
    const p = await problemOf(await readJsonBody(request('{"amount":5}', 'text/plain'), schema));
    expect(p.status).toBe(415);
    expect(p.body.code).toBe('unsupported_media_type');
  });

  it('accepts a +json media type with parameters', async () => {
    const result = await readJsonBody(
      request('{"amount":5}', 'application/merge-patch+json; charset=utf-8'),
      schema,
    );
    expect(result.ok).toBe(true);
  });

  it('answers 400 malformed_json for broken JSON', async () => {
    const p = await problemOf(await readJsonBody(request('{"amount":'), schema));
    expect(p.status).toBe(400);
    expect(p.body.code).toBe('malformed_json');
  });

  it('answers 400 with the zod issues in errors when the schema rejects', async () => {
    const p = await problemOf(await readJsonBody(request('{"amount":1.5,"extra":1}'), schema));
    expect(p.status).toBe(400);
    expect(p.body.code).toBe('invalid_request');
    const paths = (p.body.errors as Array<{ path: string }>).map((e) => e.path);
    expect(paths).toContain('amount');
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const big = JSON.stringify({ amount: 1, pad: 'x'.repeat(MAX_BODY_BYTES) });
    const p = await problemOf(await readJsonBody(request(big), z.any()));
    expect(p.status).toBe(413);
    expect(p.body.code).toBe('body_too_large');
  });

  it('treats an empty body as {} only when allowed', async () => {
    const lenient = await readJsonBody(request(undefined), z.object({}).strict(), { allowEmpty: true });
    expect(lenient).toEqual({ ok: true, value: {} });
    const strict = await problemOf(await readJsonBody(request(''), schema));
    expect(strict.status).toBe(400);
  });
});
