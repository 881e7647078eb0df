// The latest harvest runs, newest first, of one portal or of all.
MATCH (r:HarvestRun)
WHERE $portal IS NULL OR r.portal = $portal
RETURN r {.*} AS run
ORDER BY r.startedAt DESC
LIMIT $limit
