-- WebAssembly modules uploaded to the platform (PUT /admin/tenants/{t}/extensions/{id}/versions/{v}/module).
-- Kept by the control plane in the database, so every control-plane instance serves them and nodes
-- fetch them by digest (GET /cluster/modules/{sha256}); the extension's version names the digest.
-- Keyed by tenant and digest: a tenant may name only a module it uploaded itself, and the same bytes
-- uploaded by two tenants are two rows (a digest proves nothing about who may use it).
-- BYTEA is PostgreSQL's binary type and an alias of BINARY VARYING in H2 2.x (see V41).
CREATE TABLE extension_modules (
  tenant_id  VARCHAR(64) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  sha256     CHAR(64)    NOT NULL,
  size_bytes INTEGER     NOT NULL,
  module     BYTEA       NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant_id, sha256)
);

CREATE INDEX extension_modules_by_sha256 ON extension_modules (sha256);
