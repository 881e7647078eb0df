// Records a harvest run as running, after marking runs of the same portal that a killed process left running as
// failed. The portal node is created (or its url/title/version refreshed) here; its watermark is not touched.
MERGE (p:Portal {id: $portal})
SET p.url = coalesce($url, p.url), p.title = coalesce($title, p.title),
    p.ckanVersion = coalesce($ckanVersion, p.ckanVersion)
WITH p
CALL (p) {
  MATCH (stale:HarvestRun {portal: p.id, status: 'running'})
  SET stale.status = 'failed', stale.finishedAt = $startedAt,
      stale.error = 'interrupted: the process ended before the run finished'
}
CREATE (r:HarvestRun {
  id: $runId, portal: $portal, startedAt: $startedAt, status: 'running', mode: $mode, source: $source
})
CREATE (r)-[:HARVESTED]->(p)
