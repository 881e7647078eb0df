// The audit trail: one ChangeRecord per change made through the API (who, when, what, before and after as JSON).
CREATE (c:ChangeRecord {
  id: $id, at: $at, tokenId: $tokenId, action: $action, datasetId: $datasetId, lifeEventId: $eventId,
  before: $before, after: $after
})
RETURN c {.*} AS props
