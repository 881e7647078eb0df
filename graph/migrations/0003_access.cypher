// Data officers' API tokens (hashed at rest) and the audit trail of their changes.
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT change_record_id IF NOT EXISTS FOR (n:ChangeRecord) REQUIRE n.id IS UNIQUE;
