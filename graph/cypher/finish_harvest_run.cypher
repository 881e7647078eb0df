// The last step of a successful run: its report, and the portal's watermark (which only ever moves forward).
MATCH (r:HarvestRun {id: $runId})-[:HARVESTED]->(p:Portal)
SET r += $report, r.status = 'succeeded', r.finishedAt = $finishedAt
SET p.lastSuccessfulRunAt = $finishedAt, p.lastRunId = $runId,
    p.watermark = CASE
      WHEN $watermark IS NULL THEN p.watermark
      WHEN p.watermark IS NULL OR $watermark > p.watermark THEN $watermark
      ELSE p.watermark
    END
