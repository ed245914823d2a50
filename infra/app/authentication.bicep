// App Service Authentication ("Easy Auth") with Microsoft Entra ID: signs callers in and hands the
// app the principal in x-ms-client-principal (with the app roles as `roles` claims), stripping any
// copy a client sends (functions/identity/caller.ts reads it). Unauthenticated requests reach the
// app, which answers 401 problem+json itself and keeps /api/health open; the dashboard sends a
// browser to /.auth/login/aad. Easy Auth's client credential is the managed identity's federated
// credential (the app setting OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID), not a secret.
param functionAppName string
param clientId string

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [clientId, 'api://${clientId}']
        }
      }
    }
    login: {
      tokenStore: { enabled: true }
    }
  }
}
