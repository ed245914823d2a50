/**
 * The simulator's view of a running host: the public HTTP API and the Durable HTTP API, over
 * `fetch` only, plus how to let time pass (real sleeps, or a test host's virtual clock). The API's
 * types come from its OpenAPI document (contracts.generated.ts), never from the app's modules.
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
import type { SimUser, SimUsers } from './users';

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
  /**
   * How long a read of a transfer may wait on the host for the transfer to settle (`Prefer: wait`,
   * seconds); undefined: the client polls.
   */
  readonly readWaitSeconds?: number;
}

/** A host over the network, on real time; its reads of a transfer wait `readWaitSeconds` on the host when given. */
export function httpDriver(baseUrl: string, pollMs = 50, readWaitSeconds?: number): Driver {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    readWaitSeconds,
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
    /** The answer's `Retry-After` in seconds, when it had one (a 429 does). */
    readonly retryAfterSeconds?: number,
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

/**
 * The Cardflow HTTP API of one host, called as distinct users: the account's owner opens it and
 * requests its transfers, the approver decides, the operator loads and reads.
 */
export class CardflowApi {
  /** Account id → its owner, for the accounts this client opened. */
  private readonly owners = new Map<string, SimUser>();

  constructor(
    readonly driver: Driver,
    readonly users: SimUsers,
  ) {}

  /** Opens the account as the next customer (round robin), who owns it. */
  openAccount(body: OpenAccountBody, idempotencyKey?: string): Promise<OpenAccountResponse> {
    const owner = this.users.customerFor(this.owners.size);
    if (body.accountId) this.owners.set(body.accountId, owner);
    return this.post('/api/accounts', body, 202, idempotencyKey, owner);
  }

  ownerOf(accountId: string): SimUser {
    return this.owners.get(accountId) ?? this.users.customerFor(0);
  }

  loadCredits(
    accountId: string,
    body: LoadCreditsBody,
    idempotencyKey?: string,
  ): Promise<LoadCreditsResponse> {
    return this.post(`/api/accounts/${accountId}/loads`, body, 202, idempotencyKey, this.users.operator);
  }

  /** Requested by the source account's owner: nobody else may. */
  requestTransfer(body: RequestTransferBody, idempotencyKey?: string): Promise<RequestTransferResponse> {
    return this.post('/api/transfers', body, 202, idempotencyKey, this.ownerOf(body.fromAccountId));
  }

  /** Decided by the approver, who is never a requester. */
  decide(transferId: string, body: DecideTransferBody): Promise<DecideTransferResponse> {
    return this.post(`/api/transfers/${transferId}/decision`, body, 202, undefined, this.users.approver);
  }

  /** A decision sent as `user`, whatever the answer: the status and problem code. */
  async decideAs(
    user: SimUser,
    transferId: string,
    body: DecideTransferBody,
  ): Promise<{ status: number; code?: string }> {
    const res = await fetch(`${this.driver.baseUrl}/api/transfers/${transferId}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.users.headersOf(user) },
      body: JSON.stringify(body),
    });
    const answer = (await bodyOf(res)) as { code?: string } | undefined;
    return { status: res.status, code: answer?.code };
  }

  command(commandId: string): Promise<CommandView> {
    return this.get(`/api/commands/${commandId}`);
  }

  /** The account's read model, or undefined while it does not exist (yet). */
  account(accountId: string): Promise<AccountView | undefined> {
    return this.getOptional(`/api/accounts/${accountId}`);
  }

  /**
   * The transfer's read model, or undefined while it does not exist (yet). With `waitSeconds`, the
   * host may hold the answer that long (`Prefer: wait`) while the transfer is unknown or moving.
   */
  transfer(transferId: string, options: { waitSeconds?: number } = {}): Promise<TransferView | undefined> {
    return this.getOptional(
      `/api/transfers/${transferId}`,
      [200],
      options.waitSeconds ? { prefer: `wait=${options.waitSeconds}` } : {},
    );
  }

  approvals(status: NonNullable<ListApprovalsQuery['status']> = 'pending'): Promise<ApprovalsPage> {
    return this.get(`/api/approvals?status=${status}`);
  }

  /** The transfer's process instance through the Durable HTTP API (202 while it runs, 200 once it ended). */
  instance(transferId: string): Promise<InstanceView | undefined> {
    return this.getOptional(`/runtime/webhooks/durabletask/instances/${transferId}`, [200, 202]);
  }

  /** Raises `ApprovalDecision` on the instance directly, as an operator would (not through the API). */
  async raiseDecision(transferId: string, decision: unknown): Promise<number> {
    const res = await fetch(
      `${this.driver.baseUrl}/runtime/webhooks/durabletask/instances/${transferId}/raiseEvent/ApprovalDecision`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(decision),
      },
    );
    await res.arrayBuffer();
    return res.status;
  }

  async post<T>(
    path: string,
    body: unknown,
    expected: number,
    idempotencyKey: string | undefined,
    as: SimUser,
  ): Promise<T> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...this.users.headersOf(as),
    };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const res = await fetch(this.driver.baseUrl + path, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    const answer = await bodyOf(res);
    if (res.status !== expected) {
      const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
      throw new ApiError(
        res.status,
        answer,
        `POST ${path}`,
        Number.isFinite(retryAfter) ? retryAfter : undefined,
      );
    }
    return answer as T;
  }

  /** Reads as the operator, who may read everything. */
  async get<T>(path: string): Promise<T> {
    const res = await fetch(this.driver.baseUrl + path, {
      headers: this.users.headersOf(this.users.operator),
    });
    const answer = await bodyOf(res);
    if (res.status !== 200) throw new ApiError(res.status, answer, `GET ${path}`);
    return answer as T;
  }

  private async getOptional<T>(
    path: string,
    ok: readonly number[] = [200],
    headers: Record<string, string> = {},
  ): Promise<T | undefined> {
    const res = await fetch(this.driver.baseUrl + path, {
      headers: { ...this.users.headersOf(this.users.operator), ...headers },
    });
    const answer = await bodyOf(res);
    if (res.status === 404) return undefined;
    if (!ok.includes(res.status)) throw new ApiError(res.status, answer, `GET ${path}`);
    return answer as T;
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
