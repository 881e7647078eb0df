// The open datasets linked to the chosen life events (approved first, then by score; `graph.journeys.dataset_order`),
// read for journeys since links change without a catalog load; and the catalog version now, which a planner compares with what it keeps.
CALL () {
  OPTIONAL MATCH (v:CatalogVersion {id: 'catalog'})
  RETURN v.version AS version
}
CALL () {
  MATCH (d:Dataset)-[r:RELEVANT_TO]->(e:LifeEvent)
  WHERE e.id IN $eventIds AND r.status IN ['approved', 'suggested'] AND coalesce(d.state, 'active') = 'active'
  WITH d, r, e
  ORDER BY CASE r.status WHEN 'approved' THEN 0 ELSE 1 END, r.score DESC, d.id, e.id
  RETURN collect({
    id: d.id, title: d.title, titleZh: d.titleZh, titleEn: d.titleEn, portal: d.portal,
    eventId: e.id, status: r.status, score: r.score
  }) AS datasets
}
RETURN version, datasets
