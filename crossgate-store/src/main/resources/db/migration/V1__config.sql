-- Configuration entities and the change log. Plain SQL that runs on H2 2.x and PostgreSQL.

-- One row, locked by every configuration write: revisions are allocated gap-free and in
-- commit order, and writes that check uniqueness are serialised.
CREATE TABLE revision_counter (
  id            INT PRIMARY KEY,
  counter_value BIGINT NOT NULL
);
INSERT INTO revision_counter (id, counter_value) VALUES (1, 0);

CREATE TABLE change_log (
  revision    BIGINT PRIMARY KEY,
  op          VARCHAR(8)   NOT NULL,
  entity_type VARCHAR(32)  NOT NULL,
  entity_id   VARCHAR(128) NOT NULL,
  body        VARCHAR,
  actor       VARCHAR(128) NOT NULL,
  changed_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE routes (
  id              VARCHAR(64)   PRIMARY KEY,
  service         VARCHAR(128)  NOT NULL,
  host_key        VARCHAR(255)  NOT NULL,
  source_path     VARCHAR(1024) NOT NULL,
  version         VARCHAR(32)   NOT NULL,
  default_version BOOLEAN       NOT NULL,
  enabled         BOOLEAN       NOT NULL,
  body            VARCHAR       NOT NULL,
  revision        BIGINT        NOT NULL,
  created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX routes_source ON routes (host_key, source_path);
CREATE INDEX routes_service ON routes (service, id);

CREATE TABLE filters (
  id         VARCHAR(64) PRIMARY KEY,
  priority   INT         NOT NULL,
  body       VARCHAR     NOT NULL,
  revision   BIGINT      NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE tenants (
  id         VARCHAR(64) PRIMARY KEY,
  body       VARCHAR     NOT NULL,
  revision   BIGINT      NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE api_keys (
  id          VARCHAR(64)  PRIMARY KEY,
  tenant_id   VARCHAR(64)  NOT NULL REFERENCES tenants (id),
  participant VARCHAR(128),
  key_hash    VARCHAR(64)  NOT NULL UNIQUE,
  prefix      VARCHAR(16)  NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE admin_tokens (
  id         VARCHAR(64)  PRIMARY KEY,
  name       VARCHAR(128) NOT NULL UNIQUE,
  role       VARCHAR(16)  NOT NULL,
  token_hash VARCHAR(64)  NOT NULL UNIQUE,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
