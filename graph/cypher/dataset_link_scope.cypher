// What a link review needs to know first: do the dataset and the life event exist, which portal and organisations
// the dataset belongs to (for the token's scope), and the link's current properties.
OPTIONAL MATCH (d:Dataset {id: $datasetId})
OPTIONAL MATCH (e:LifeEvent {id: $eventId})
OPTIONAL MATCH (d)-[l:RELEVANT_TO]->(e)
RETURN d IS NOT NULL AS datasetFound, e IS NOT NULL AS eventFound, d.portal AS portal,
  CASE WHEN d IS NULL THEN [] ELSE COLLECT { MATCH (d)--(o:Organization) RETURN DISTINCT o.id } END AS organizations,
  CASE WHEN l IS NULL THEN null ELSE properties(l) END AS link
