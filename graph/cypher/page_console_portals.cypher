// The data officers' portal list: each portal, its dataset counts and its latest harvest runs.
MATCH (p:Portal)
RETURN p {.*} AS portal,
  COUNT { MATCH (d:Dataset) WHERE d.portal = p.id AND coalesce(d.state, 'active') = 'active' } AS active,
  COUNT { MATCH (d:Dataset) WHERE d.portal = p.id AND d.state = 'withdrawn' } AS withdrawn,
  COLLECT { MATCH (r:HarvestRun) WHERE r.portal = p.id RETURN r {.*} ORDER BY r.startedAt DESC LIMIT $runs } AS runs
ORDER BY p.id
