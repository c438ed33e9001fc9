-- A transfer's chunk progress, kept on its row: how many chunks are stored, one past the highest
-- stored number, and the lowest number not stored yet. Every chunk's answer reports them; counting
-- them from transfer_chunks read every stored chunk row for every chunk, quadratic in the chunks
-- of a file. Updated in the transaction that stores a chunk (TransferRepository.addChunk).
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL 15.

ALTER TABLE transfers ADD COLUMN received_chunks BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE transfers ADD COLUMN next_chunk BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE transfers ADD COLUMN lowest_missing BIGINT DEFAULT 0 NOT NULL;

UPDATE transfers SET
  received_chunks = (SELECT COUNT(*) FROM transfer_chunks c
                     WHERE c.owner = transfers.owner AND c.transfer_id = transfers.id),
  next_chunk = (SELECT COALESCE(MAX(c.chunk_number) + 1, 0) FROM transfer_chunks c
                WHERE c.owner = transfers.owner AND c.transfer_id = transfers.id),
  lowest_missing = CASE
    WHEN NOT EXISTS (SELECT 1 FROM transfer_chunks c
                     WHERE c.owner = transfers.owner AND c.transfer_id = transfers.id
                       AND c.chunk_number = 0) THEN 0
    ELSE (SELECT MIN(c.chunk_number) + 1 FROM transfer_chunks c
          WHERE c.owner = transfers.owner AND c.transfer_id = transfers.id
            AND NOT EXISTS (SELECT 1 FROM transfer_chunks d
                            WHERE d.owner = c.owner AND d.transfer_id = c.transfer_id
                              AND d.chunk_number = c.chunk_number + 1))
  END;
