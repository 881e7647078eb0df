// The resources (distributions) of each dataset, by name then id.
UNWIND $ids AS datasetId
MATCH (:Dataset {id: datasetId})--(r:Resource)
WITH DISTINCT datasetId, r
RETURN datasetId, r {.*} AS props
ORDER BY datasetId, coalesce(r.name, ''), r.id
