-- Token issuers tenants registered: a JWT whose iss is one of these, signed by its keys, is that
-- tenant's caller. The body is the validated TokenIssuer as JSON, as for upstreams; issuer is
-- unique so that a token names exactly one tenant.
CREATE TABLE token_issuers (
  id          VARCHAR(130)  PRIMARY KEY,
  tenant_id   VARCHAR(64)   NOT NULL REFERENCES tenants (id),
  name        VARCHAR(64)   NOT NULL,
  issuer      VARCHAR(512)  NOT NULL UNIQUE,
  body        VARCHAR       NOT NULL,
  revision    BIGINT        NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX token_issuers_tenant ON token_issuers (tenant_id);
