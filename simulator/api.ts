/**
 * The simulator's view of a running host: the public HTTP API and the Durable HTTP API, over
 * `fetch` only and as one authenticated user at a time, plus how to let time pass (real sleeps, or
 * a test host's virtual clock). The API's types come from its OpenAPI document (contracts.generated.ts), never from the app's modules.
 */
import type {
  DecideTransferBody,
  DecideTransferResponse,
  GetAccountResponse,
  GetCommandResponse,
  GetTransferResponse,
  ListApprovalsQuery,
  ListApprovalsResponse,
  LoadCreditsBody,
  LoadCreditsResponse,
  OpenAccountBody,
  OpenAccountResponse,
  RequestTransferBody,
  RequestTransferResponse,
} from './contracts.generated';
import type { SimUser } from './users';

export interface Driver {
  readonly baseUrl: string;
  /** Lets the host make progress before the next poll (a short sleep, or a test host's waitForIdle). */
  settle(): Promise<void>;
  /** The host's current time, epoch ms. */
  now(): number;
  /** Lets time pass until `at` (epoch ms) on the host: real waiting, or advancing a virtual clock. */
  waitUntil(at: number): Promise<void>;
  /** Whether `waitUntil` is instant (a virtual clock), so long waits are fine. */
  readonly virtualTime: boolean;
}

/** A host over the network, on real time. */
export function httpDriver(baseUrl: string, pollMs = 50): Driver {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    baseUrl: baseUrl.replace(/\/$/, ''),
    settle: async () => {
      await sleep(pollMs);
    },
    now: () => Date.now(),
    waitUntil: async (at) => {
      while (Date.now() < at) await sleep(Math.min(pollMs * 4, at - Date.now()));
    },
    virtualTime: false,
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
    this.name = 'ApiError';
  }
}

/** A command's 202 answer, whichever command it was. */
export type Accepted =
  OpenAccountResponse | LoadCreditsResponse | RequestTransferResponse | DecideTransferResponse;
export type AccountView = GetAccountResponse;
export type TransferView = GetTransferResponse;
export type TransferStatus = TransferView['status'];
export type CommandView = GetCommandResponse;
export type ApprovalsPage = ListApprovalsResponse;
export interface InstanceView {
  runtimeStatus: string;
  customStatus: unknown;
  output: unknown;
}

export const FINAL_TRANSFER_STATUSES: readonly TransferStatus[] = [
  'completed',
  'rejected',
  'expired',
  'failed',
];

/** An answer taken as it came, for requests whose refusal is the expected outcome. */
export interface Answer {
  readonly status: number;
  /** The problem's stable code (`identity_mismatch`, `approver_is_requester`, ...), if any. */
  readonly code?: string;
  readonly body: unknown;
}

/** What `GET /.auth/me` says of the caller: their id and roles, as Easy Auth sees them. */
export interface Me {
  readonly id: string;
  readonly roles: readonly string[];
}

const ROLE_CLAIMS = ['roles', 'role', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];

/**
 * The Cardflow HTTP API of one host, called as one user (`Authorization: Bearer <token>`, as App
 * Service Authentication takes it) or anonymously; `as(user)` is the same host as someone else.
 */
export class CardflowApi {
  constructor(
    readonly driver: Driver,
    readonly user?: SimUser,
  ) {}

  /** The same host, called as `user`. */
  as(user: SimUser): CardflowApi {
    return new CardflowApi(this.driver, user);
  }

  openAccount(body: OpenAccountBody, idempotencyKey?: string): Promise<OpenAccountResponse> {
    return this.post('/api/accounts', body, 202, idempotencyKey);
  }

  loadCredits(
    accountId: string,
    body: LoadCreditsBody,
    idempotencyKey?: string,
  ): Promise<LoadCreditsResponse> {
    return this.post(`/api/accounts/${accountId}/loads`, body, 202, idempotencyKey);
  }

  requestTransfer(body: RequestTransferBody, idempotencyKey?: string): Promise<RequestTransferResponse> {
    return this.post('/api/transfers', body, 202, idempotencyKey);
  }

  decide(transferId: string, body: DecideTransferBody): Promise<DecideTransferResponse> {
    return this.post(`/api/transfers/${transferId}/decision`, body, 202);
  }

  command(commandId: string): Promise<CommandView> {
    return this.get(`/api/commands/${commandId}`);
  }

  /** The account's read model, or undefined while it does not exist (yet). */
  account(accountId: string): Promise<AccountView | undefined> {
    return this.getOptional(`/api/accounts/${accountId}`);
  }

  transfer(transferId: string): Promise<TransferView | undefined> {
    return this.getOptional(`/api/transfers/${transferId}`);
  }

  approvals(status: NonNullable<ListApprovalsQuery['status']> = 'pending'): Promise<ApprovalsPage> {
    return this.get(`/api/approvals?status=${status}`);
  }

  /** Who the host's Easy Auth takes this caller for; undefined when it knows no such caller (401). */
  async me(): Promise<Me | undefined> {
    const answer = await this.send('GET', '/.auth/me');
    if (answer.status === 401) return undefined;
    if (answer.status !== 200) throw new ApiError(answer.status, answer.body, 'GET /.auth/me');
    const [entry] = (answer.body ?? []) as Array<{
      user_id?: string;
      user_claims?: Array<{ typ: string; val: string }>;
    }>;
    const claims = entry?.user_claims ?? [];
    return {
      id: entry?.user_id ?? '',
      roles: claims.filter((c) => ROLE_CLAIMS.includes(c.typ)).map((c) => c.val),
    };
  }

  /** The transfer's process instance through the Durable HTTP API (202 while it runs, 200 once it ended). */
  instance(transferId: string): Promise<InstanceView | undefined> {
    return this.getOptional(`/runtime/webhooks/durabletask/instances/${transferId}`, [200, 202]);
  }

  /** Raises `ApprovalDecision` on the instance directly, as an operator would (not through the API). */
  async raiseDecision(transferId: string, decision: unknown): Promise<number> {
    const answer = await this.send(
      'POST',
      `/runtime/webhooks/durabletask/instances/${transferId}/raiseEvent/ApprovalDecision`,
      decision,
    );
    return answer.status;
  }

  /** Sends a request as this caller and returns whatever came back; never throws on a status. */
  async send(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (this.user) headers.authorization = `Bearer ${this.user.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const res = await fetch(this.driver.baseUrl + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = await bodyOf(res);
    const code = (answer as { code?: unknown } | undefined)?.code;
    return { status: res.status, body: answer, ...(typeof code === 'string' ? { code } : {}) };
  }

  async post<T>(path: string, body: unknown, expected: number, idempotencyKey?: string): Promise<T> {
    const answer = await this.send('POST', path, body, idempotencyKey);
    if (answer.status !== expected) throw this.error(answer, `POST ${path}`);
    return answer.body as T;
  }

  async get<T>(path: string): Promise<T> {
    const answer = await this.send('GET', path);
    if (answer.status !== 200) throw this.error(answer, `GET ${path}`);
    return answer.body as T;
  }

  private async getOptional<T>(path: string, ok: readonly number[] = [200]): Promise<T | undefined> {
    const answer = await this.send('GET', path);
    if (answer.status === 404) return undefined;
    if (!ok.includes(answer.status)) throw this.error(answer, `GET ${path}`);
    return answer.body as T;
  }

  /** The failure, saying who asked: a refusal is only understood knowing the caller. */
  private error(answer: Answer, what: string): ApiError {
    return new ApiError(answer.status, answer.body, `${what} as ${this.user?.id ?? 'nobody (anonymous)'}`);
  }
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
