// The life-event links of each dataset with a status in $statuses: approved first, then by score, then event id.
UNWIND $ids AS datasetId
MATCH (:Dataset {id: datasetId})-[l:RELEVANT_TO]->(e:LifeEvent)
WHERE l.status IN $statuses
RETURN datasetId, e.id AS eventId, l {.*} AS link
ORDER BY datasetId, CASE l.status WHEN 'approved' THEN 0 ELSE 1 END, coalesce(l.score, 0.0) DESC, e.id
