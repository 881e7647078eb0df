// One page of the links of active datasets with a given status, best score first, and how many there are.
CALL () {
  MATCH (d:Dataset)-[l:RELEVANT_TO]->(:LifeEvent)
  WHERE l.status = $status AND coalesce(d.state, 'active') = 'active'
  RETURN count(l) AS total
}
CALL () {
  MATCH (d:Dataset)-[l:RELEVANT_TO]->(e:LifeEvent)
  WHERE l.status = $status AND coalesce(d.state, 'active') = 'active'
  WITH d, l, e ORDER BY coalesce(l.score, 0.0) DESC, d.id, e.id
  SKIP $offset LIMIT $limit
  RETURN collect({dataset: d {.id, .portal, .title, .titleZh, .titleEn}, event: e {.id, .nameZh, .nameEn}, link: l {.*}}) AS links
}
RETURN total, links
