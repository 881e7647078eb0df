// One API token by id, with its hash, to check a presented token against.
MATCH (t:ApiToken {id: $id})
RETURN t {.id, .name, .scope, .hash, .createdAt, .revokedAt} AS props
