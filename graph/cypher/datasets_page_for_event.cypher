// One page of the datasets linked to one life event with a link status in $statuses (approved first, then by
// score, then by id), optionally of one organisation and/or with a resource of one format, and the total.
CALL () {
  MATCH (d:Dataset)-[l:RELEVANT_TO]->(:LifeEvent {id: $lifeEvent})
  WHERE l.status IN $statuses
    AND ($includeWithdrawn OR coalesce(d.state, 'active') = 'active')
    AND ($organization IS NULL OR EXISTS { (d)--(o:Organization) WHERE o.id = $organization })
    AND ($format IS NULL OR EXISTS { (d)--(r:Resource) WHERE toUpper(r.format) = $format })
  RETURN count(d) AS total
}
CALL () {
  MATCH (d:Dataset)-[l:RELEVANT_TO]->(:LifeEvent {id: $lifeEvent})
  WHERE l.status IN $statuses
    AND ($includeWithdrawn OR coalesce(d.state, 'active') = 'active')
    AND ($organization IS NULL OR EXISTS { (d)--(o:Organization) WHERE o.id = $organization })
    AND ($format IS NULL OR EXISTS { (d)--(r:Resource) WHERE toUpper(r.format) = $format })
  WITH d, l
  ORDER BY CASE l.status WHEN 'approved' THEN 0 ELSE 1 END, coalesce(l.score, 0.0) DESC, d.id
  SKIP $offset LIMIT $limit
  RETURN collect(d) AS page
}
UNWIND CASE WHEN size(page) = 0 THEN [null] ELSE range(0, size(page) - 1) END AS i
WITH total, i, page[i] AS d
RETURN total, d {.*} AS props,
  [(d)--(o:Organization) | o {.*}][0] AS organization,
  COLLECT { MATCH (d)--(t:Tag) RETURN DISTINCT coalesce(t.name, t.id) AS tag ORDER BY tag } AS tags
ORDER BY i
