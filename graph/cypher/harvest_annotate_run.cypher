// Adds what the orchestration knows about a run beyond its load: the snapshot, how the portal was read, timings.
// A language given for a portal that has none yet becomes its default, so it can be harvested by name afterwards.
MATCH (r:HarvestRun {id: $runId})
SET r += $details
WITH r
MATCH (r)-[:HARVESTED]->(p:Portal)
WHERE $language IS NOT NULL AND p.defaultLanguage IS NULL
SET p.defaultLanguage = $language
