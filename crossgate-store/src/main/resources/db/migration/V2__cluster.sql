-- Gateway nodes and the node-sync log (the seed's second modification log).

CREATE TABLE nodes (
  node_id          VARCHAR(128) PRIMARY KEY,
  applied_revision BIGINT       NOT NULL,
  config_hash      VARCHAR(16)  NOT NULL,
  version          VARCHAR(64),
  admin_instance   VARCHAR(64),
  connected        BOOLEAN      NOT NULL,
  last_seen        TIMESTAMP WITH TIME ZONE NOT NULL,
  last_result      VARCHAR(8),
  last_revision    BIGINT,
  last_error       VARCHAR(4000),
  resync_requested BOOLEAN      NOT NULL
);

CREATE TABLE node_sync_log (
  id          BIGINT       NOT NULL,
  node_id     VARCHAR(128) NOT NULL,
  revision    BIGINT       NOT NULL,
  result      VARCHAR(8)   NOT NULL,
  config_hash VARCHAR(16),
  error       VARCHAR(4000),
  at          TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (node_id, id)
);
CREATE INDEX node_sync_log_at ON node_sync_log (at);
