// For each life event, one page of its dataset links with a status in $statuses (approved first, then by score,
// then dataset id) and their total. Withdrawn datasets are left out.
UNWIND $ids AS eventId
CALL (eventId) {
  MATCH (d:Dataset)-[l:RELEVANT_TO]->(:LifeEvent {id: eventId})
  WHERE l.status IN $statuses AND coalesce(d.state, 'active') = 'active'
  WITH d, l
  ORDER BY CASE l.status WHEN 'approved' THEN 0 ELSE 1 END, coalesce(l.score, 0.0) DESC, d.id
  RETURN count(d) AS total, collect({datasetId: d.id, link: l {.*}})[$offset..($offset + $limit)] AS page
}
RETURN eventId, total, page
