-- The tenants' extension registry (DESIGN.md "Extensions"). Ids are unique per tenant; the body is
-- the Extension record as JSON, as it travels in the change log. Plain SQL for H2 2.x and PostgreSQL.

CREATE TABLE extensions (
  tenant_id  VARCHAR(64)  NOT NULL REFERENCES tenants (id),
  id         VARCHAR(128) NOT NULL,
  body       VARCHAR      NOT NULL,
  revision   BIGINT       NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
