// Names of the documents and agencies a journey mentions, bundles of its events, datasets linked to them, and the
// catalog version now (a planner that used a kept head compares it with the head's).
CALL () {
  OPTIONAL MATCH (v:CatalogVersion {id: 'catalog'})
  RETURN v.version AS version
}
CALL () {
  MATCH (d:Evidence) WHERE d.id IN $evidenceIds
  RETURN collect(d {.*}) AS evidence
}
CALL () {
  MATCH (a:Agency) WHERE a.id IN $agencyIds
  RETURN collect(a {.*}) AS agencies
}
CALL () {
  MATCH (b:Bundle)-[:FOR_EVENT]->(e:LifeEvent) WHERE e.id IN $eventIds
  RETURN collect({
    props: b {.*}, eventId: e.id,
    serviceIds: COLLECT { MATCH (b)-[r:INCLUDES]->(s:Service) RETURN s.id ORDER BY r.order }
  }) AS bundles
}
CALL () {
  MATCH (d:Dataset)-[r:RELEVANT_TO]->(e:LifeEvent)
  WHERE e.id IN $eventIds AND r.status IN ['approved', 'suggested'] AND coalesce(d.state, 'active') = 'active'
  WITH d, r, e
  ORDER BY CASE r.status WHEN 'approved' THEN 0 ELSE 1 END, r.score DESC, d.id
  RETURN collect({
    id: d.id, title: d.title, titleZh: d.titleZh, titleEn: d.titleEn, portal: d.portal,
    eventId: e.id, status: r.status, score: r.score
  }) AS datasets
}
RETURN version, evidence, agencies, bundles, datasets
