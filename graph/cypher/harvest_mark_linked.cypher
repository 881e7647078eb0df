// After the portal's datasets were linked: every successful run of it up to $runId is covered by that linking.
MATCH (r:HarvestRun {portal: $portal, status: 'succeeded'})
WHERE r.linkedAt IS NULL AND r.startedAt <= $upTo
SET r.linkedAt = $at
