/** Registers the HTTP API (route prefix `api`, from host.json): every route of http/routes.ts and the OpenAPI document. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getStores } from '../stores';
import { attr, inSpan, SpanKind } from '../telemetry';
import { nowIso } from './clock';
import { guarded } from './http/guard';
import { openApiDocument } from './http/openapi';
import type { RouteDefinition, RouteDeps } from './http/route';
import { ROUTES } from './http/routes';
import { callerFrom } from './identity/caller';
import { TransferProcessClient } from './transferProcessClient';

const durableClient = df.input.durableClient();

function deps(request: HttpRequest, context: InvocationContext): RouteDeps {
  return {
    stores: getStores(),
    processes: () => new TransferProcessClient(df.getClient(context)),
    now: nowIso,
    caller: callerFrom(request.headers),
  };
}

for (const [name, route] of Object.entries(ROUTES) as Array<[string, RouteDefinition]>) {
  app.http(name, {
    methods: [route.method],
    authLevel: 'anonymous',
    route: route.route,
    ...(route.durableClient ? { extraInputs: [durableClient] } : {}),
    handler: guarded((request, context) =>
      route.method === 'POST'
        ? traced(route, request, () => route.handle(deps(request, context), request))
        : route.handle(deps(request, context), request),
    ),
  });
}

/**
 * A command request's span (a child of the invocation's trace context: the caller's `traceparent`),
 * where the transfer's trace begins. Reads move nothing and start no trace of the app's: their
 * timing is the platform's request telemetry (Application Insights' requests in Azure), and a
 * polling client's look-ups do not cost a span each.
 */
function traced(route: RouteDefinition, request: HttpRequest, handle: () => Promise<HttpResponseInit>) {
  return inSpan(
    `${route.method} /api/${route.route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [attr.COMPONENT]: 'http api',
        'http.request.method': route.method,
        'http.route': `/api/${route.route}`,
      },
    },
    async (span) => {
      const transferId = request.params.transferId;
      if (transferId) span.setAttribute(attr.TRANSFER_ID, transferId);
      const response = await handle();
      span.setAttribute('http.response.status_code', response.status ?? 200);
      return response;
    },
  );
}

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
