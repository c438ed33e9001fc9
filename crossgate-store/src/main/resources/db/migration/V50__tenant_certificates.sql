-- Client certificates a tenant registered (by subject or SPKI SHA-256): a request presenting a
-- verified certificate that matches is that tenant's, as with an API key. match_key is what nodes
-- look a peer certificate up by, so one certificate can belong to one tenant only.
CREATE TABLE tenant_certificates (
  id          VARCHAR(64)   PRIMARY KEY,
  tenant_id   VARCHAR(64)   NOT NULL REFERENCES tenants (id),
  kind        VARCHAR(16)   NOT NULL,
  cert_value  VARCHAR(1024) NOT NULL,
  match_key   VARCHAR(1100) NOT NULL UNIQUE,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
