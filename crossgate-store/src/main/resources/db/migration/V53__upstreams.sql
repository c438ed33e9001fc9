-- Upstream pools: several targets behind one name that routes use instead of a target URL.
-- The body is the validated Upstream as JSON, as for routes; upstream_id on routes lets a delete
-- find the routes that still use a pool.
CREATE TABLE upstreams (
  id          VARCHAR(64) PRIMARY KEY,
  body        VARCHAR     NOT NULL,
  revision    BIGINT      NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

ALTER TABLE routes ADD COLUMN upstream_id VARCHAR(64);
CREATE INDEX routes_upstream ON routes (upstream_id);
