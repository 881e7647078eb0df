// Stores the linker's evidence that datasets serve life events. A new link is 'suggested'; an existing one keeps its
// status (a data officer's 'approved' or 'rejected' stands) and method, and gets the fresh score, terms and reason.
UNWIND $rows AS row
MATCH (d:Dataset {id: row.dataset})
MATCH (e:LifeEvent {id: row.event})
MERGE (d)-[r:RELEVANT_TO]->(e)
ON CREATE SET r.status = 'suggested', r.method = $method, r.suggestedAt = $at
SET r.score = row.score, r.matchedTerms = row.terms, r.reason = row.reason
