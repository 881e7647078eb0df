// Adds what the orchestration knows about a run beyond its load: the snapshot, how the portal was read, timings.
MATCH (r:HarvestRun {id: $runId})
SET r += $details
