/**
 * Requests Node's HTTP parser refuses before the pipeline sees them (a bad `Content-Length` or
 * `Transfer-Encoding`, headers over the limit, a method it does not know, `CONNECT`): answered with
 * problem+json, like every other refusal of the host, wherever an answer can still be written.
 * Node alone would answer a bare 400 / 431 without a body, or close the connection without one.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../contracts';
import { describeBytes } from './bodyLimit';
import type { Problem } from './problem';

/**
 * Kestrel's default `MaxRequestHeadersTotalSize` (32 KiB): Node's own default is 16 KiB. Pass it as
 * `createServer({ maxHeaderSize })`.
 */
export const MAX_HEADER_BYTES = 32 * 1024;

// How long a refused client may keep the connection half-closed before the host drops it.
const LINGER_MS = 2_000;

type ParserError = Error & { code?: string; reason?: string; rawPacket?: Buffer };

/** Answers what the parser refuses (`clientError`) and `CONNECT` (`connect`) on `server`. */
export function answerProtocolErrors(server: Server, log: Logger, maxHeaderBytes = MAX_HEADER_BYTES): void {
  // The response under way on each connection: once its head is written, nothing else may be.
  const responses = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    responses.set(req.socket, res);
    res.once('close', () => {
      if (responses.get(req.socket) === res) responses.delete(req.socket);
    });
  });

  // A parser that failed keeps failing on whatever else arrives: a connection is answered once.
  const refused = new WeakSet<Duplex>();
  server.on('clientError', (err: ParserError, socket: Duplex) => {
    if (refused.has(socket)) return;
    refused.add(socket);
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (responses.get(socket)?.headersSent) {
      socket.destroy();
      return;
    }
    const problem = problemFor(err, maxHeaderBytes);
    log.info(
      `Refused a request the HTTP parser could not read (${err.code ?? err.message}): ${problem.status} ${problem.detail}`,
    );
    writeRawProblem(socket, problem);
  });

  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    const problem: Problem = {
      status: 501,
      title: STATUS_CODES[501] ?? 'Not Implemented',
      detail: 'CONNECT is not served: this host is not a proxy.',
      instance: req.url,
    };
    log.info(`Refused CONNECT ${req.url ?? ''}: ${problem.status} ${problem.detail}`);
    writeRawProblem(socket, problem);
  });
}

/** What to answer a request the parser failed on with `err`. */
export function problemFor(
  err: ParserError,
  maxHeaderBytes = MAX_HEADER_BYTES,
): Problem & { detail: string } {
  const parserError = err.code ?? 'unknown';
  const bad = (detail: string): Problem & { detail: string } => ({
    status: 400,
    title: 'Bad Request',
    detail,
    parserError,
  });
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        title: 'Request Header Fields Too Large',
        detail: `The request's headers are larger than the ${describeBytes(maxHeaderBytes)} this host accepts.`,
        parserError,
      };
    case 'HPE_INVALID_METHOD': {
      const method = requestMethodOf(err.rawPacket);
      if (method === undefined) return bad('The request does not start with an HTTP/1.1 request line.');
      return {
        status: 501,
        title: STATUS_CODES[501] ?? 'Not Implemented',
        detail: `The method ${method} is not one this host implements.`,
        parserError,
      };
    }
    case 'HPE_INVALID_CONTENT_LENGTH':
      return bad('The Content-Length header is not a valid length (one non-negative number).');
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return bad('The request has both Content-Length and Transfer-Encoding: chunked; send one of them.');
    case 'HPE_INVALID_TRANSFER_ENCODING':
      // llhttp's reason tells "both headers" from "a coding other than chunked last".
      if (/content-length/i.test(err.reason ?? ''))
        return bad('The request has both Content-Length and Transfer-Encoding: chunked; send one of them.');
      return bad(
        'The Transfer-Encoding header is not valid: the only coding this host reads is chunked, last.',
      );
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_STRICT':
      return bad('The chunked request body is malformed.');
    case 'HPE_INVALID_VERSION':
      return bad('The request line does not name HTTP/1.0 or HTTP/1.1.');
    case 'HPE_INVALID_URL':
      return bad('The request target is not a valid URL.');
    case 'HPE_INVALID_HEADER_TOKEN':
      return bad('A header name or value contains characters HTTP does not allow.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        title: STATUS_CODES[408] ?? 'Request Timeout',
        detail: 'The request did not arrive in time.',
        parserError,
      };
    default:
      return bad(`The request is not valid HTTP/1.1 (${err.reason ?? err.message}).`);
  }
}

/** The method of a request line like `PURGE /x HTTP/1.1`, when it is an HTTP token. */
function requestMethodOf(raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  const line = raw.subarray(0, Math.min(raw.length, 256)).toString('latin1');
  const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}) \S+ HTTP\/\d\.\d\r?\n/.exec(line);
  return match?.[1];
}

/** Writes `problem` as a whole HTTP/1.1 response on a socket with no response object, then closes it. */
function writeRawProblem(socket: Duplex, problem: Problem): void {
  const body = JSON.stringify({ type: 'about:blank', ...problem });
  const head = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? problem.title}`,
    'content-type: application/problem+json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${body}`);
  // Nothing more is read from a client whose request is refused.
  socket.pause();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
