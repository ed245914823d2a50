// Application Insights on a Log Analytics workspace: the host's and the app's telemetry
// (OpenTelemetry, host.json telemetryMode) — requests, the transfer's trace, metrics, logs.
param location string
param tags object
param resourceToken string
@description('The app\'s identity: publishes telemetry with Entra ID (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).')
param identityPrincipalId string

@description('Days the workspace keeps data (30 is the free retention).')
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-cardflow-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-cardflow-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

// Monitoring Metrics Publisher: the identity may send telemetry with an Entra token.
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identityPrincipalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: applicationInsights
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
  }
}

output name string = applicationInsights.name
output connectionString string = applicationInsights.properties.ConnectionString
