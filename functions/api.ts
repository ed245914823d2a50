/** Registers the HTTP API of DESIGN.md §4 (route prefix `api`, from host.json). */
import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getStores } from '../stores';
import { nowIso } from './clock';
import * as commands from './http/commandRoutes';
import { guarded } from './http/guard';
import * as queries from './http/queryRoutes';
import { openApiDocument } from './http/openapi';
import { ROUTES, type RouteName } from './http/schemas';
import { TransferProcessClient } from './transferProcessClient';

const durableClient = df.input.durableClient();

function commandDeps(context: InvocationContext): commands.CommandRouteDeps {
  return {
    stores: getStores(),
    processStatusUrl: (transferId) => new TransferProcessClient(df.getClient(context)).statusUrl(transferId),
  };
}

const queryDeps = (): queries.QueryRouteDeps => ({ stores: getStores(), now: nowIso });

function register(
  name: RouteName,
  handler: (
    request: HttpRequest,
    context: InvocationContext,
  ) => Promise<import('@azure/functions').HttpResponseInit>,
  withDurableClient = false,
): void {
  const { method, route } = ROUTES[name];
  app.http(name, {
    methods: [method],
    authLevel: 'anonymous',
    route,
    ...(withDurableClient ? { extraInputs: [durableClient] } : {}),
    handler: guarded(handler),
  });
}

register('openAccount', (request, context) => commands.openAccount(commandDeps(context), request));
register('loadCredits', (request, context) => commands.loadCredits(commandDeps(context), request));
register('closeAccount', (request, context) => commands.closeAccount(commandDeps(context), request));
register(
  'requestTransfer',
  (request, context) => commands.requestTransfer(commandDeps(context), request),
  true,
);
register('decideTransfer', (request, context) => commands.decideTransfer(commandDeps(context), request));
register('getCommand', (request) => queries.getCommand(queryDeps(), request));
register('getAccount', (request) => queries.getAccount(queryDeps(), request));
register('getStatement', (request) => queries.getStatement(queryDeps(), request));
register('getAccountEvents', (request) => queries.getAccountEvents(queryDeps(), request));
register('getTransfer', (request) => queries.getTransfer(queryDeps(), request));
register('getTransferEvents', (request) => queries.getTransferEvents(queryDeps(), request));
register('listApprovals', (request) => queries.listApprovals(queryDeps(), request));
register('listDeadLetters', () => queries.listDeadLetters(queryDeps()));

app.http('openApi', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'openapi.json',
  handler: async () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(openApiDocument()),
  }),
});
