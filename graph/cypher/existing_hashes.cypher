// The content hash of every catalog node of the given ids, to tell created / updated / unchanged apart.
UNWIND $keys AS key
CALL (key) {
  MATCH (n) WHERE n.id = key.id AND key.label IN labels(n)
  RETURN n.contentHash AS hash
}
RETURN key.label AS label, key.id AS id, hash
