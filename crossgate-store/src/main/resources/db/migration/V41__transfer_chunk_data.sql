-- Chunk bytes in the database (transfer storage "database"): for several gateway nodes that share
-- PostgreSQL but no disk. One row per stored chunk; the index stays in transfer_chunks.
-- Numbered after V40, not next to V20: Flyway refuses a migration older than the ones a
-- database already applied, so V21 would stop every existing installation from starting.
-- Portable SQL: BYTEA is PostgreSQL's binary type and an alias of BINARY VARYING in H2 2.x;
-- both hold a value of up to 1 GB, more than a chunk may be (TransferSettings caps it).
-- The rows go with their transfer (ON DELETE CASCADE), so an aborted, failed or expired transfer
-- leaves no bytes behind even if a node died between deleting the row and the chunks; a chunk
-- written for a transfer that is already gone fails the foreign key instead of staying forever.

CREATE TABLE transfer_chunk_data (
  owner         VARCHAR(128) NOT NULL,
  transfer_id   VARCHAR(128) NOT NULL,
  chunk_number  BIGINT       NOT NULL,
  data          BYTEA        NOT NULL,
  PRIMARY KEY (owner, transfer_id, chunk_number),
  FOREIGN KEY (owner, transfer_id) REFERENCES transfers (owner, id) ON DELETE CASCADE
);
