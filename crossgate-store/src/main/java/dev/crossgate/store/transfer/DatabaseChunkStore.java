package dev.crossgate.store.transfer;

import dev.crossgate.store.sql.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Chunk bytes as rows of {@code transfer_chunk_data} (migration {@code V41}), in the database that
 * holds the chunk index, so gateway nodes that share PostgreSQL but no disk can resume each other's
 * transfers. A row goes with its transfer ({@code ON DELETE CASCADE}); {@link #deleteAll} still
 * removes the rows of a transfer that keeps its row (completed with a target, failed).
 *
 * <p>Memory: the write streams {@code data} to the driver without copying it to a heap array first.
 * A read streams from {@link java.sql.ResultSet#getBinaryStream} in pieces of at most 1 MiB, but
 * both drivers materialise the value once before that (PostgreSQL's {@code bytea} has no streaming
 * protocol, H2 holds {@code BINARY VARYING} in memory): a read costs one chunk of heap, which is
 * why the transfer settings cap chunks stored this way.
 *
 * <p>Every method blocks on JDBC: worker threads only.
 */
final class DatabaseChunkStore implements ChunkStore {
  private static final int READ_PIECE = 1 << 20;
  private static final ThreadLocal<byte[]> READ_BUFFER =
      ThreadLocal.withInitial(() -> new byte[READ_PIECE]);

  /**
   * One standard SQL MERGE (H2 2.x and PostgreSQL 15 both run it): inserts the chunk or replaces a
   * leftover of an earlier crash. The bytes are bound once, in the source row.
   */
  private static final String UPSERT =
      "MERGE INTO transfer_chunk_data d USING (VALUES (CAST(? AS VARCHAR(128)), "
          + "CAST(? AS VARCHAR(128)), CAST(? AS BIGINT), CAST(? AS BYTEA))) AS k (owner, transfer_id, chunk_number, data) "
          + "ON d.owner = k.owner AND d.transfer_id = k.transfer_id AND d.chunk_number = k.chunk_number "
          + "WHEN MATCHED THEN UPDATE SET data = k.data "
          + "WHEN NOT MATCHED THEN INSERT (owner, transfer_id, chunk_number, data) "
          + "VALUES (k.owner, k.transfer_id, k.chunk_number, k.data)";

  private final DataSource dataSource;

  DatabaseChunkStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Stores the chunk in one statement (atomic by itself). When the transfer row is already gone
   * (aborted or expired while the chunk was arriving) the foreign key refuses the row and nothing
   * is stored; the index write that follows is rejected for the same reason.
   */
  @Override
  public void write(String owner, String id, long number, ByteBuffer data) {
    try {
      upsert(owner, id, number, data);
    } catch (SQLException e) {
      if (isMissingTransfer(e)) {
        return;
      }
      if (!isDuplicateKey(e)) {
        throw new TransferStoreException("write chunk data", e);
      }
      // PostgreSQL's MERGE is not atomic against a concurrent insert of the same key (another
      // node writing the same chunk): that row exists now, so a second MERGE replaces it.
      try {
        upsert(owner, id, number, data);
      } catch (SQLException again) {
        throw new TransferStoreException("write chunk data", again);
      }
    }
  }

  private void upsert(String owner, String id, long number, ByteBuffer data) throws SQLException {
    try (var c = dataSource.getConnection()) {
      Sql.update(c, UPSERT, owner, id, number, data);
    }
  }

  @Override
  public boolean read(String owner, String id, long number, Consumer<ByteBuffer> sink) {
    var sql =
        "SELECT data FROM transfer_chunk_data WHERE owner = ? AND transfer_id = ? AND chunk_number = ?";
    try (var c = dataSource.getConnection()) {
      return Sql.queryOne(
              c,
              sql,
              row -> {
                try (var in = row.getBinaryStream("data")) {
                  var piece = READ_BUFFER.get();
                  int n;
                  while ((n = in.readNBytes(piece, 0, piece.length)) > 0) {
                    sink.accept(ByteBuffer.wrap(piece, 0, n));
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return true;
              },
              owner,
              id,
              number)
          .orElse(false);
    } catch (SQLException e) {
      throw new TransferStoreException("read chunk data", e);
    }
  }

  @Override
  public void delete(String owner, String id, long number) {
    update(
        "delete chunk data",
        "DELETE FROM transfer_chunk_data WHERE owner = ? AND transfer_id = ? AND chunk_number = ?",
        owner,
        id,
        number);
  }

  @Override
  public void deleteAll(String owner, String id) {
    update(
        "delete chunk data",
        "DELETE FROM transfer_chunk_data WHERE owner = ? AND transfer_id = ?",
        owner,
        id);
  }

  private void update(String what, String sql, Object... params) {
    try (var c = dataSource.getConnection()) {
      Sql.update(c, sql, params);
    } catch (SQLException e) {
      throw new TransferStoreException(what, e);
    }
  }

  /** Foreign-key violation, parent missing: 23503 on PostgreSQL, 23506 on H2. */
  private static boolean isMissingTransfer(SQLException e) {
    return "23503".equals(e.getSQLState()) || "23506".equals(e.getSQLState());
  }

  /** SQLState 23505 (unique violation) on both H2 and PostgreSQL. */
  private static boolean isDuplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }
}
