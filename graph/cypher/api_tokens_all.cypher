// Every API token (without hashes), oldest first.
MATCH (t:ApiToken)
RETURN t {.id, .name, .scope, .createdAt, .revokedAt} AS props
ORDER BY t.createdAt, t.id
