// The catalog part of journeys, one record per life event: its services and the prerequisites they pull in
// (transitively), the documents and agencies those services name, and the event's bundles. With the catalog version:
// planners keep these parts until a catalog load changes the version.
CALL () {
  OPTIONAL MATCH (v:CatalogVersion {id: 'catalog'})
  RETURN v.version AS version
}
UNWIND $eventIds AS eventId
MATCH (e:LifeEvent {id: eventId})
CALL (e) {
  OPTIONAL MATCH (e)<-[:GROUPED_BY]-(s:Service)
  WITH collect(DISTINCT s) AS direct
  CALL (direct) {
    UNWIND direct AS s
    OPTIONAL MATCH (s)-[:HAS_PREREQUISITE*1..10]->(p:Service)
    RETURN collect(DISTINCT p) AS pulled
  }
  UNWIND direct + pulled AS s
  WITH DISTINCT s
  ORDER BY s.id
  RETURN collect({
    props: s {.*},
    eventIds: COLLECT { MATCH (s)-[r:GROUPED_BY]->(x:LifeEvent) RETURN x.id ORDER BY r.order },
    requires: COLLECT { MATCH (s)-[r:REQUIRES]->(x:Evidence) RETURN x.id ORDER BY r.order },
    produces: COLLECT { MATCH (s)-[r:PRODUCES]->(x:Evidence) RETURN x.id ORDER BY r.order },
    prerequisiteIds: COLLECT { MATCH (s)-[:HAS_PREREQUISITE]->(x:Service) RETURN x.id ORDER BY x.id },
    criterionIds: COLLECT { MATCH (s)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id },
    channelIds: COLLECT { MATCH (s)-[:AVAILABLE_THROUGH]->(x:Channel) RETURN x.id ORDER BY x.id },
    agencyId: [(s)-[:PROVIDED_BY]->(a:Agency) | a.id][0]
  }) AS services
}
CALL (services) {
  UNWIND services AS s
  UNWIND s.requires + s.produces AS id
  WITH DISTINCT id
  MATCH (d:Evidence {id: id})
  RETURN collect(d {.*}) AS evidence
}
CALL (services) {
  UNWIND services AS s
  WITH DISTINCT s.agencyId AS id
  MATCH (a:Agency {id: id})
  RETURN collect(a {.*}) AS agencies
}
CALL (e) {
  MATCH (b:Bundle)-[:FOR_EVENT]->(e)
  RETURN collect({
    props: b {.*},
    serviceIds: COLLECT { MATCH (b)-[r:INCLUDES]->(s:Service) RETURN s.id ORDER BY r.order }
  }) AS bundles
}
RETURN version, e.id AS eventId, services, evidence, agencies, bundles
