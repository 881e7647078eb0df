// The resources (distributions) of each dataset, in the portal's order (then by name and id).
UNWIND $ids AS datasetId
MATCH (:Dataset {id: datasetId})--(r:Resource)
WITH DISTINCT datasetId, r
RETURN datasetId, r {.*} AS props
ORDER BY datasetId, coalesce(r.position, 0), coalesce(r.name, ''), r.id
