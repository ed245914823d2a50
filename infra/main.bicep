// Cardflow in Azure (`azd up`, see docs/deploy.md): a resource group with the Function App on the
// Flex Consumption plan and everything it reads. Keyless: the app's user-assigned managed identity
// holds data-plane roles on Cosmos DB, Event Grid, storage and Application Insights; no key is
// issued to the app, and the app creates no database or container (they are declared here).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('The azd environment name; names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('The Azure region of every resource.')
param location string

@description('Your own object id (azd sets it): you get the operator app role and data access, to sign in to the dashboard and look at the data. Empty: nobody.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
@description('What principalId is.')
param principalType string = 'User'

@allowed(['AzureStorage', 'DurableTaskScheduler'])
@description('The durable task hub: on the Function App\'s storage account (default), or a Durable Task Scheduler (Consumption SKU).')
param durableBackend string = 'AzureStorage'

@description('Cosmos DB capacity: serverless (default, billed per request, near zero at rest) or provisioned autoscale throughput on the database.')
@allowed(['serverless', 'autoscale'])
param cosmosCapacity string = 'serverless'

@description('With cosmosCapacity=autoscale: the database\'s maximum RU/s (at rest it scales to a tenth).')
@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('The Cosmos DB database (the app setting COSMOS_DATABASE).')
param cosmosDatabaseName string = 'cardflow'

@description('Transfers of at least this many cents wait for approval (APPROVAL_THRESHOLD).')
@minValue(1)
param approvalThreshold int = 100000

@description('Outflow over 24 hours from one account above which a transfer waits for approval, in cents (VELOCITY_THRESHOLD).')
@minValue(1)
param velocityThreshold int = 250000

@description('How long a transfer waits for a decision, ISO-8601 (APPROVAL_TIMEOUT).')
param approvalTimeout string = 'PT24H'

@description('When the reconciler runs, NCRONTAB with seconds (RECONCILER_SCHEDULE).')
param reconcilerSchedule string = '0 */1 * * * *'

@allowed(['text', 'json'])
@description('The app\'s log lines (LOG_FORMAT).')
param logFormat string = 'text'

@minValue(40)
@maxValue(1000)
@description('The most instances the Function App scales out to.')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
@description('Memory of each instance, MB.')
param instanceMemoryMB int = 2048

@description('Create the Event Grid subscriptions to the secondary handlers. Their destination is a function, which exists only once the code is deployed: azure.yaml\'s postdeploy hook sets this and provisions again.')
param deployEventSubscriptions bool = false

@description('Register the Entra ID app (with the app roles customer, approver, operator) and turn on App Service Authentication. Needs the right to create app registrations; false leaves the API to answer 401 to everyone.')
param enableAuthentication bool = true

var tags = { 'azd-env-name': environmentName, app: 'cardflow' }
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'cardflow-resources'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    principalId: principalId
    principalType: principalType
    durableBackend: durableBackend
    cosmosCapacity: cosmosCapacity
    cosmosAutoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    cosmosDatabaseName: cosmosDatabaseName
    approvalThreshold: approvalThreshold
    velocityThreshold: velocityThreshold
    approvalTimeout: approvalTimeout
    reconcilerSchedule: reconcilerSchedule
    logFormat: logFormat
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    deployEventSubscriptions: deployEventSubscriptions
    enableAuthentication: enableAuthentication
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output API_URL string = resources.outputs.apiUrl
output DASHBOARD_URL string = resources.outputs.dashboardUrl
output APPLICATIONINSIGHTS_NAME string = resources.outputs.applicationInsightsName
output COSMOS_ACCOUNT_ENDPOINT string = resources.outputs.cosmosEndpoint
output EVENTGRID_TOPIC_ENDPOINT string = resources.outputs.eventGridTopicEndpoint
output ENTRA_APP_CLIENT_ID string = resources.outputs.entraClientId
