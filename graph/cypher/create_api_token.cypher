// A new API token; only the SHA-256 of the token is stored, never the token.
CREATE (t:ApiToken {id: $id, name: $name, scope: $scope, hash: $hash, createdAt: $createdAt})
RETURN t {.id, .name, .scope, .createdAt, .revokedAt} AS props
