// Revoke an API token (idempotent: the first revocation time stays).
MATCH (t:ApiToken {id: $id})
SET t.revokedAt = coalesce(t.revokedAt, $at)
RETURN t {.id, .name, .scope, .createdAt, .revokedAt} AS props
