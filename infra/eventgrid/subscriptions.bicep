// The topic's subscriptions to the secondary handlers: the same subscriptions the local host serves
// (eventgrid.local.json, loaded here, one source for both), each to its function (Azure Function
// destination), with CloudEvents 1.0 delivery, the subscription's filters, its retry policy
// (maxDeliveryAttempts 30, event time-to-live 1 440 min) and dead letters to the storage account's
// container, written with the topic's identity. Deployed once the functions exist (azure.yaml's
// postdeploy hook: an Azure Function destination must name a deployed function).
param topicName string
param functionAppName string
param deadLetterStorageAccountName string
param deadLetterContainerName string

var subscriptions = loadJsonContent('../../eventgrid.local.json').subscriptions

resource topic 'Microsoft.EventGrid/topics@2022-06-15' existing = {
  name: topicName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource deadLetterAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: deadLetterStorageAccountName
}

resource eventSubscriptions 'Microsoft.EventGrid/topics/eventSubscriptions@2022-06-15' = [
  for subscription in subscriptions: {
    parent: topic
    name: subscription.name
    properties: {
      eventDeliverySchema: 'CloudEventSchemaV1_0'
      destination: {
        endpointType: 'AzureFunction'
        properties: {
          resourceId: '${functionApp.id}/functions/${subscription.functionName}'
          maxEventsPerBatch: 1
          preferredBatchSizeInKilobytes: 64
        }
      }
      filter: {
        includedEventTypes: subscription.?includedEventTypes
        subjectBeginsWith: subscription.?subjectBeginsWith ?? ''
      }
      retryPolicy: {
        maxDeliveryAttempts: subscription.retryPolicy.maxDeliveryAttempts
        eventTimeToLiveInMinutes: subscription.retryPolicy.eventTimeToLiveInMinutes
      }
      deadLetterWithResourceIdentity: (subscription.?deadLetter ?? false)
        ? {
            identity: { type: 'SystemAssigned' }
            deadLetterDestination: {
              endpointType: 'StorageBlob'
              properties: {
                resourceId: deadLetterAccount.id
                blobContainerName: deadLetterContainerName
              }
            }
          }
        : null
    }
  }
]

output names array = [for (subscription, i) in subscriptions: eventSubscriptions[i].name]
