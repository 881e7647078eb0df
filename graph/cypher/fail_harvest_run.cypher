// A run that stopped on an error: what it did so far, and why it stopped. The portal's watermark stays.
MATCH (r:HarvestRun {id: $runId})
SET r += $report, r.status = 'failed', r.finishedAt = $finishedAt, r.error = $error
