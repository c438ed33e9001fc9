-- Resumable transfers (issue 6): one row per transfer, one row per stored chunk.
-- Chunk bytes live on disk under the data dir; these tables are the index.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL 15.

CREATE TABLE transfers (
  owner            VARCHAR(128)  NOT NULL,
  id               VARCHAR(128)  NOT NULL,
  protocol         VARCHAR(16)   NOT NULL,
  chunk_size       BIGINT        NOT NULL,
  chunk_count      BIGINT        NOT NULL,
  total_size       BIGINT,
  chunk_digest     VARCHAR(16)   NOT NULL,
  file_digest      VARCHAR(256),
  name             VARCHAR(255),
  target           VARCHAR(2048),
  metadata         VARCHAR(4096),
  status           VARCHAR(16)   NOT NULL,
  failure          VARCHAR(1024),
  delivery         VARCHAR(1024),
  received_bytes   BIGINT        NOT NULL,
  created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (owner, id)
);

CREATE INDEX transfers_expires_at ON transfers (expires_at);

CREATE TABLE transfer_chunks (
  owner         VARCHAR(128) NOT NULL,
  transfer_id   VARCHAR(128) NOT NULL,
  chunk_number  BIGINT       NOT NULL,
  chunk_offset  BIGINT       NOT NULL,
  size          BIGINT       NOT NULL,
  digest        VARCHAR(256) NOT NULL,
  received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (owner, transfer_id, chunk_number),
  FOREIGN KEY (owner, transfer_id) REFERENCES transfers (owner, id) ON DELETE CASCADE
);
