/**
 * Serves the approvals and monitoring dashboard from the app itself, so it works the same in Azure
 * and on the local host: GET /api/dashboard/ is the page, the rest of the route its CSS and JS.
 */
import { app } from '@azure/functions';
import { serveDashboard } from './dashboardAssets';

export const DASHBOARD_ROUTE = 'dashboard/{*path}';

app.http('dashboard', {
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  route: DASHBOARD_ROUTE,
  handler: (request) => serveDashboard(request),
});
