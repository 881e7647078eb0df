// A data officer's API token by id, for re-checking a console session (the hash is not read).
MATCH (t:ApiToken {id: $id})
RETURN t {.id, .name, .scope, .createdAt, .revokedAt} AS props
