import * as domain from '.';

describe('the domain public surface', () => {
  it('exports what the orchestrator, activities and HTTP functions build on', () => {
    const expected = [
      'loadFee',
      'merchantFee',
      'splitLoad',
      'isAmount',
      'MAX_AMOUNT',
      'IdSchema',
      'accountStreamId',
      'transferStreamId',
      'parseStreamId',
      'REASON_CODES',
      'REASON_MESSAGES',
      'domainError',
      'commandId',
      'canonicalJson',
      'parseDurationMs',
      'ClientCommandSchema',
      'AccountCommandSchema',
      'CommandSchema',
      'DomainEventSchema',
      'EventEnvelopeSchema',
      'toEnvelope',
      'envelopeAll',
      'accountDecider',
      'decideAccount',
      'evolveAccount',
      'initialAccountState',
      'accountBalances',
      'fold',
      'requiresApproval',
      'mayDecide',
      'assessOutflow',
      'cancelOutflow',
      'emptyOutflowWindow',
      'transferMachine',
      'startTransfer',
      'advanceTransfer',
      'effectsOf',
      'persistTransfer',
      'restoreTransfer',
      'transferStatus',
      'decisionEvent',
    ];
    for (const name of expected) {
      expect({ name, exported: name in domain }).toEqual({ name, exported: true });
    }
  });

  it('decides through the re-exported account decider', () => {
    const decision = domain.decideAccount(
      { type: 'LoadCredits', data: { accountId: 'acc-1', loadId: 'load-1', amount: 10, loadedBy: 'otto' } },
      domain.initialAccountState,
    );
    expect(decision).toEqual({ ok: false, error: domain.domainError('account_not_found', 'acc-1') });
  });
});
