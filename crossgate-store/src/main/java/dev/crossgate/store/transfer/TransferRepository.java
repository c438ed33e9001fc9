package dev.crossgate.store.transfer;

import dev.crossgate.store.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The transfer index over JDBC (H2 and PostgreSQL, migration {@code V20__transfers.sql}). Every
 * method blocks: call it from a worker thread, never from an event loop.
 */
public final class TransferRepository {
  /** What became of a chunk write. */
  public enum ChunkWrite {
    /** The chunk row was added and the transfer's byte count and expiry moved on. */
    STORED,
    /** A chunk with that number is already stored; nothing changed. */
    DUPLICATE,
    /** The transfer is not open, or (tus) its offset is not the one the writer expected. */
    REJECTED
  }

  private static final String COLUMNS =
      "owner, id, protocol, chunk_size, chunk_count, total_size, chunk_digest, "
          + "file_digest, name, target, metadata, status, failure, delivery, received_bytes, received_chunks, next_chunk, lowest_missing, created_at, updated_at, expires_at";
  // stored chunk numbers read at a time while the lowest missing one moves up
  private static final int PROGRESS_WINDOW = 64;
  private static final String CHUNK_COLUMNS = "chunk_number, chunk_offset, size, digest";

  private final DataSource dataSource;

  public TransferRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The database of the index. Chunk bytes kept in the database must live in this one: their rows
   * reference the transfer rows and are removed with them.
   */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Adds a transfer; false when the owner already has one with that id. */
  public boolean insert(TransferRecord t) {
    return run(
        "insert transfer",
        c -> {
          try {
            Sql.update(
                c,
                "INSERT INTO transfers ("
                    + COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                t.owner(),
                t.id(),
                t.protocol(),
                t.chunkSize(),
                t.chunkCount(),
                t.totalSize(),
                t.chunkDigest(),
                t.fileDigest(),
                t.name(),
                t.target(),
                t.metadata(),
                t.status(),
                t.failure(),
                t.delivery(),
                t.receivedBytes(),
                t.receivedChunks(),
                t.nextChunk(),
                t.lowestMissing(),
                t.createdAt(),
                t.updatedAt(),
                t.expiresAt());
            return true;
          } catch (SQLException e) {
            if (Sql.isDuplicateKey(e)) {
              return false;
            }
            throw e;
          }
        });
  }

  public Optional<TransferRecord> find(String owner, String id) {
    return run(
        "find transfer",
        c ->
            Sql.queryOne(
                c,
                "SELECT " + COLUMNS + " FROM transfers WHERE owner = ? AND id = ?",
                TransferRepository::transfer,
                owner,
                id));
  }

  /** The most recently updated transfers of every owner, for the operator view. */
  public List<TransferRecord> recent(int limit) {
    return run(
        "list transfers",
        c ->
            Sql.queryAtMost(
                c,
                limit,
                "SELECT " + COLUMNS + " FROM transfers ORDER BY updated_at DESC, owner, id",
                TransferRepository::transfer));
  }

  /** The stored chunks of a transfer, by number. */
  public List<ChunkRecord> chunks(String owner, String id) {
    return run(
        "list chunks",
        c ->
            Sql.query(
                c,
                "SELECT "
                    + CHUNK_COLUMNS
                    + " FROM transfer_chunks "
                    + "WHERE owner = ? AND transfer_id = ? ORDER BY chunk_number",
                TransferRepository::chunk,
                owner,
                id));
  }

  public Optional<ChunkRecord> chunk(String owner, String id, long number) {
    return run(
        "find chunk",
        c ->
            Sql.queryOne(
                c,
                "SELECT "
                    + CHUNK_COLUMNS
                    + " FROM transfer_chunks "
                    + "WHERE owner = ? AND transfer_id = ? AND chunk_number = ?",
                TransferRepository::chunk,
                owner,
                id,
                number));
  }

  /**
   * Records a chunk whose bytes are already on disk, in one transaction with the transfer's byte
   * count and its sliding expiry. The transfer row is updated first, so concurrent writers of one
   * transfer are serialised by its row lock.
   *
   * @param expectedReceived when not null (tus), the write only succeeds if the transfer holds
   *     exactly that many bytes: a compare-and-set on the upload offset
   */
  public ChunkWrite addChunk(
      String owner,
      String id,
      ChunkRecord chunk,
      Long expectedReceived,
      Instant now,
      Instant expiresAt) {
    var update =
        "UPDATE transfers SET received_bytes = received_bytes + ?, received_chunks = received_chunks"
            + " + 1, next_chunk = GREATEST(next_chunk, ?), updated_at = ?, expires_at = ?"
            + " WHERE owner = ? AND id = ? AND status = 'OPEN'"
            + (expectedReceived == null ? "" : " AND received_bytes = ?");
    var args =
        new ArrayList<Object>(List.of(chunk.size(), chunk.number() + 1, now, expiresAt, owner, id));
    if (expectedReceived != null) {
      args.add(expectedReceived);
    }
    return run(
        "add chunk",
        c -> {
          try {
            return Sql.inTransaction(
                c,
                tx -> {
                  if (Sql.update(tx, update, args.toArray()) != 1) {
                    return ChunkWrite.REJECTED; // nothing was changed: the commit is empty
                  }
                  Sql.update(
                      tx,
                      "INSERT INTO transfer_chunks (owner, transfer_id, chunk_number, chunk_offset, size, digest,"
                          + " received_at) VALUES (?,?,?,?,?,?,?)",
                      owner,
                      id,
                      chunk.number(),
                      chunk.offset(),
                      chunk.size(),
                      chunk.digest(),
                      now);
                  advanceLowestMissing(tx, owner, id, chunk.number());
                  return ChunkWrite.STORED;
                });
          } catch (SQLException e) {
            if (Sql.isDuplicateKey(e)) {
              return ChunkWrite.DUPLICATE;
            }
            throw e;
          }
        });
  }

  /**
   * After chunk {@code number} was stored: when it was the lowest missing one, the mark moves past
   * it and past the stored chunks right above, read a window at a time. Each stored chunk is passed
   * once over an upload, so the work per chunk stays constant however many chunks a file has.
   */
  private static void advanceLowestMissing(Connection tx, String owner, String id, long number)
      throws SQLException {
    long lowest =
        Sql.queryLong(
            tx, "SELECT lowest_missing FROM transfers WHERE owner = ? AND id = ?", owner, id);
    if (lowest != number) {
      return;
    }
    long next = number + 1;
    while (true) {
      var stored =
          Sql.query(
              tx,
              "SELECT chunk_number FROM transfer_chunks WHERE owner = ? AND transfer_id = ?"
                  + " AND chunk_number BETWEEN ? AND ? ORDER BY chunk_number",
              row -> row.getLong(1),
              owner,
              id,
              next,
              next + PROGRESS_WINDOW - 1);
      long windowEnd = next + PROGRESS_WINDOW;
      for (long n : stored) {
        if (n != next) {
          break;
        }
        next++;
      }
      if (next < windowEnd) {
        break;
      }
    }
    Sql.update(
        tx, "UPDATE transfers SET lowest_missing = ? WHERE owner = ? AND id = ?", next, owner, id);
  }

  /**
   * Moves a transfer from one status to another; false when it was not in {@code from}. Moving to
   * FAILED zeroes its received bytes in the same update: its data is released.
   */
  public boolean changeStatus(
      String owner,
      String id,
      TransferStatus from,
      TransferStatus to,
      String failure,
      String delivery,
      Instant now,
      Instant expiresAt) {
    return run(
        "change transfer status",
        c ->
            Sql.update(
                    c,
                    "UPDATE transfers SET status = ?, failure = ?, delivery = ?, updated_at = ?,"
                        + " expires_at = ?,"
                        + " received_bytes = CASE WHEN ? THEN 0 ELSE received_bytes END"
                        + " WHERE owner = ? AND id = ? AND status = ?",
                    to,
                    failure,
                    delivery,
                    now,
                    expiresAt,
                    to == TransferStatus.FAILED,
                    owner,
                    id,
                    from)
                == 1);
  }

  /** Records the whole-file digest verified at the end notification (RFC 9530 field value). */
  public void recordFileDigest(String owner, String id, String fileDigest) {
    run(
        "record file digest",
        c ->
            Sql.update(
                c,
                "UPDATE transfers SET file_digest = ? WHERE owner = ? AND id = ?",
                fileDigest,
                owner,
                id));
  }

  /** Fixes the length of a tus upload that deferred it; false when it was already known. */
  public boolean declareLength(String owner, String id, long totalSize) {
    return run(
        "declare length",
        c ->
            Sql.update(
                    c,
                    "UPDATE transfers SET total_size = ? WHERE owner = ? AND id = ?"
                        + " AND total_size IS NULL",
                    totalSize,
                    owner,
                    id)
                == 1);
  }

  /**
   * Bytes an owner holds or has announced in unfinished transfers: the declared size, or what was
   * received when the size is deferred. The quota is checked against this.
   */
  public long reservedBytes(String owner) {
    return run(
        "sum reserved bytes",
        c ->
            Sql.queryLong(
                c,
                "SELECT COALESCE(SUM(CASE WHEN total_size IS NULL"
                    + " THEN received_bytes ELSE total_size END), 0) FROM transfers WHERE owner = ?"
                    + " AND status IN ('OPEN', 'COMPLETING')",
                owner));
  }

  /** Transfers whose expiry is before {@code now}, oldest first. */
  public List<TransferKey> expired(Instant now, int limit) {
    return run(
        "find expired transfers",
        c ->
            Sql.queryAtMost(
                c,
                limit,
                "SELECT owner, id FROM transfers WHERE expires_at < ? ORDER BY expires_at",
                row -> new TransferKey(row.getString("owner"), row.getString("id")),
                now));
  }

  /** Removes a transfer and its chunk index; false when there was none. */
  public boolean delete(String owner, String id) {
    return run(
        "delete transfer",
        c ->
            Sql.inTransaction(
                c,
                tx -> {
                  Sql.update(
                      tx,
                      "DELETE FROM transfer_chunks WHERE owner = ? AND transfer_id = ?",
                      owner,
                      id);
                  return Sql.update(
                          tx, "DELETE FROM transfers WHERE owner = ? AND id = ?", owner, id)
                      == 1;
                }));
  }

  /** Removes the chunk index of a transfer that keeps its row (failed or delivered). */
  public void deleteChunks(String owner, String id) {
    run(
        "delete chunks",
        c ->
            Sql.update(
                c, "DELETE FROM transfer_chunks WHERE owner = ? AND transfer_id = ?", owner, id));
  }

  /** Row count of one of the transfer tables, for tests and the operator view. */
  public long countRows(String table) {
    if (!table.equals("transfers")
        && !table.equals("transfer_chunks")
        && !table.equals("transfer_chunk_data")) {
      throw new IllegalArgumentException("not a transfer table: " + table);
    }
    return run("count rows", c -> Sql.queryLong(c, "SELECT COUNT(*) FROM " + table));
  }

  /**
   * Runs {@code work} on a connection of its own; a failure is a {@link TransferStoreException}.
   */
  private <T> T run(String operation, Sql.Work<T> work) {
    try (var c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new TransferStoreException(operation, e);
    }
  }

  private static TransferRecord transfer(ResultSet row) throws SQLException {
    return new TransferRecord(
        row.getString("owner"),
        row.getString("id"),
        row.getString("protocol"),
        row.getLong("chunk_size"),
        row.getLong("chunk_count"),
        Sql.nullableLong(row, "total_size"),
        row.getString("chunk_digest"),
        row.getString("file_digest"),
        row.getString("name"),
        row.getString("target"),
        row.getString("metadata"),
        TransferStatus.valueOf(row.getString("status")),
        row.getString("failure"),
        row.getString("delivery"),
        row.getLong("received_bytes"),
        row.getLong("received_chunks"),
        row.getLong("next_chunk"),
        row.getLong("lowest_missing"),
        Sql.instant(row, "created_at"),
        Sql.instant(row, "updated_at"),
        Sql.instant(row, "expires_at"));
  }

  private static ChunkRecord chunk(ResultSet row) throws SQLException {
    return new ChunkRecord(
        row.getLong("chunk_number"),
        row.getLong("chunk_offset"),
        row.getLong("size"),
        row.getString("digest"));
  }
}
