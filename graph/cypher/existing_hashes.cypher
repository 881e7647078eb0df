// The content hash of the catalog nodes of the given ids (one list per label, each looked up by its constraint),
// to tell created / updated / unchanged apart.
CALL () {
  UNWIND $stages AS id MATCH (n:LifeStage {id: id}) RETURN 'LifeStage' AS label, n.id AS id, n.contentHash AS hash
  UNION ALL
  UNWIND $events AS id MATCH (n:LifeEvent {id: id}) RETURN 'LifeEvent' AS label, n.id AS id, n.contentHash AS hash
  UNION ALL
  UNWIND $agencies AS id MATCH (n:Agency {id: id}) RETURN 'Agency' AS label, n.id AS id, n.contentHash AS hash
  UNION ALL
  UNWIND $evidence AS id MATCH (n:Evidence {id: id}) RETURN 'Evidence' AS label, n.id AS id, n.contentHash AS hash
  UNION ALL
  UNWIND $criteria AS id MATCH (n:Criterion {id: id}) RETURN 'Criterion' AS label, n.id AS id, n.contentHash AS hash
  UNION ALL
  UNWIND $services AS id MATCH (n:Service {id: id}) RETURN 'Service' AS label, n.id AS id, n.contentHash AS hash
  UNION ALL
  UNWIND $bundles AS id MATCH (n:Bundle {id: id}) RETURN 'Bundle' AS label, n.id AS id, n.contentHash AS hash
}
RETURN label, id, hash
