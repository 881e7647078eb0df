// Approve, reject or add one dataset ↔ life-event link. Touching the dataset first takes its write lock, so reviews
// of one dataset's links run one after the other and `before` is what this review changed.
MATCH (d:Dataset {id: $datasetId})
MATCH (e:LifeEvent {id: $eventId})
SET d.linksReviewedAt = $at
WITH d, e
OPTIONAL MATCH (d)-[old:RELEVANT_TO]->(e)
WITH d, e, CASE WHEN old IS NULL THEN null ELSE properties(old) END AS before
WHERE before IS NOT NULL OR $action = 'add'
MERGE (d)-[l:RELEVANT_TO]->(e)
  ON CREATE SET l.method = 'manual', l.score = 1.0, l.matchedTerms = []
SET l.status = $status, l.reviewedAt = $at, l.reviewedBy = $tokenId, l.note = coalesce($note, l.note)
RETURN before, properties(l) AS after
