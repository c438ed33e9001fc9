package dev.crossgate.store.transfer;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The transfer index over JDBC (H2 and PostgreSQL, migration {@code V20__transfers.sql}).
 * Every method blocks: call it from a worker thread, never from an event loop.
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

  private static final String COLUMNS = "owner, id, protocol, chunk_size, chunk_count, total_size, chunk_digest, "
      + "file_digest, name, target, metadata, status, failure, delivery, received_bytes, created_at, updated_at, expires_at";

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
    var sql = "INSERT INTO transfers (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, t.owner());
      ps.setString(2, t.id());
      ps.setString(3, t.protocol());
      ps.setLong(4, t.chunkSize());
      ps.setLong(5, t.chunkCount());
      setNullableLong(ps, 6, t.totalSize());
      ps.setString(7, t.chunkDigest());
      ps.setString(8, t.fileDigest());
      ps.setString(9, t.name());
      ps.setString(10, t.target());
      ps.setString(11, t.metadata());
      ps.setString(12, t.status().name());
      ps.setString(13, t.failure());
      ps.setString(14, t.delivery());
      ps.setLong(15, t.receivedBytes());
      ps.setObject(16, utc(t.createdAt()));
      ps.setObject(17, utc(t.updatedAt()));
      ps.setObject(18, utc(t.expiresAt()));
      ps.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (isDuplicateKey(e)) {
        return false;
      }
      throw new TransferStoreException("insert transfer", e);
    }
  }

  public Optional<TransferRecord> find(String owner, String id) {
    var sql = "SELECT " + COLUMNS + " FROM transfers WHERE owner = ? AND id = ?";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, owner);
      ps.setString(2, id);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(transfer(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new TransferStoreException("find transfer", e);
    }
  }

  /** The most recently updated transfers of every owner, for the operator view. */
  public List<TransferRecord> recent(int limit) {
    var sql = "SELECT " + COLUMNS + " FROM transfers ORDER BY updated_at DESC, owner, id";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setMaxRows(limit);
      var out = new ArrayList<TransferRecord>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(transfer(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new TransferStoreException("list transfers", e);
    }
  }

  /** The stored chunks of a transfer, by number. */
  public List<ChunkRecord> chunks(String owner, String id) {
    var sql = "SELECT chunk_number, chunk_offset, size, digest FROM transfer_chunks "
        + "WHERE owner = ? AND transfer_id = ? ORDER BY chunk_number";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, owner);
      ps.setString(2, id);
      var out = new ArrayList<ChunkRecord>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ChunkRecord(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new TransferStoreException("list chunks", e);
    }
  }

  public Optional<ChunkRecord> chunk(String owner, String id, long number) {
    var sql = "SELECT chunk_number, chunk_offset, size, digest FROM transfer_chunks "
        + "WHERE owner = ? AND transfer_id = ? AND chunk_number = ?";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, owner);
      ps.setString(2, id);
      ps.setLong(3, number);
      try (var rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new ChunkRecord(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new TransferStoreException("find chunk", e);
    }
  }

  /**
   * Records a chunk whose bytes are already on disk, in one transaction with the transfer's byte
   * count and its sliding expiry. The transfer row is updated first, so concurrent writers of one
   * transfer are serialised by its row lock.
   *
   * @param expectedReceived when not null (tus), the write only succeeds if the transfer holds
   *     exactly that many bytes: a compare-and-set on the upload offset
   */
  public ChunkWrite addChunk(String owner, String id, ChunkRecord chunk, Long expectedReceived,
      Instant now, Instant expiresAt) {
    var update = "UPDATE transfers SET received_bytes = received_bytes + ?, updated_at = ?, expires_at = ? "
        + "WHERE owner = ? AND id = ? AND status = 'OPEN'" + (expectedReceived == null ? "" : " AND received_bytes = ?");
    var insert = "INSERT INTO transfer_chunks (owner, transfer_id, chunk_number, chunk_offset, size, digest, received_at) "
        + "VALUES (?,?,?,?,?,?,?)";
    try (var c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (var ps = c.prepareStatement(update)) {
          ps.setLong(1, chunk.size());
          ps.setObject(2, utc(now));
          ps.setObject(3, utc(expiresAt));
          ps.setString(4, owner);
          ps.setString(5, id);
          if (expectedReceived != null) {
            ps.setLong(6, expectedReceived);
          }
          if (ps.executeUpdate() != 1) {
            c.rollback();
            return ChunkWrite.REJECTED;
          }
        }
        try (var ps = c.prepareStatement(insert)) {
          ps.setString(1, owner);
          ps.setString(2, id);
          ps.setLong(3, chunk.number());
          ps.setLong(4, chunk.offset());
          ps.setLong(5, chunk.size());
          ps.setString(6, chunk.digest());
          ps.setObject(7, utc(now));
          ps.executeUpdate();
        }
        c.commit();
        return ChunkWrite.STORED;
      } catch (SQLException e) {
        c.rollback();
        if (isDuplicateKey(e)) {
          return ChunkWrite.DUPLICATE;
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new TransferStoreException("add chunk", e);
    }
  }

  /** Moves a transfer from one status to another; false when it was not in {@code from}. */
  public boolean changeStatus(String owner, String id, TransferStatus from, TransferStatus to,
      String failure, String delivery, Instant now, Instant expiresAt) {
    var sql = "UPDATE transfers SET status = ?, failure = ?, delivery = ?, updated_at = ?, expires_at = ? "
        + "WHERE owner = ? AND id = ? AND status = ?";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, to.name());
      ps.setString(2, failure);
      ps.setString(3, delivery);
      ps.setObject(4, utc(now));
      ps.setObject(5, utc(expiresAt));
      ps.setString(6, owner);
      ps.setString(7, id);
      ps.setString(8, from.name());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new TransferStoreException("change transfer status", e);
    }
  }

  /** Records the whole-file digest verified at the end notification (RFC 9530 field value). */
  public void recordFileDigest(String owner, String id, String fileDigest) {
    try (var c = dataSource.getConnection();
         var ps = c.prepareStatement("UPDATE transfers SET file_digest = ? WHERE owner = ? AND id = ?")) {
      ps.setString(1, fileDigest);
      ps.setString(2, owner);
      ps.setString(3, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new TransferStoreException("record file digest", e);
    }
  }

  /** Fixes the length of a tus upload that deferred it; false when it was already known. */
  public boolean declareLength(String owner, String id, long totalSize) {
    var sql = "UPDATE transfers SET total_size = ? WHERE owner = ? AND id = ? AND total_size IS NULL";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setLong(1, totalSize);
      ps.setString(2, owner);
      ps.setString(3, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new TransferStoreException("declare length", e);
    }
  }

  /**
   * Bytes an owner holds or has announced in unfinished transfers: the declared size, or what was
   * received when the size is deferred. The quota is checked against this.
   */
  public long reservedBytes(String owner) {
    var sql = "SELECT COALESCE(SUM(CASE WHEN total_size IS NULL THEN received_bytes ELSE total_size END), 0) "
        + "FROM transfers WHERE owner = ? AND status IN ('OPEN', 'COMPLETING')";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, owner);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new TransferStoreException("sum reserved bytes", e);
    }
  }

  /** Transfers whose expiry is before {@code now}, oldest first. */
  public List<TransferKey> expired(Instant now, int limit) {
    var sql = "SELECT owner, id FROM transfers WHERE expires_at < ? ORDER BY expires_at";
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
      ps.setObject(1, utc(now));
      ps.setMaxRows(limit);
      var out = new ArrayList<TransferKey>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new TransferKey(rs.getString(1), rs.getString(2)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new TransferStoreException("find expired transfers", e);
    }
  }

  /** Removes a transfer and its chunk index; false when there was none. */
  public boolean delete(String owner, String id) {
    try (var c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (var chunks = c.prepareStatement("DELETE FROM transfer_chunks WHERE owner = ? AND transfer_id = ?");
           var transfer = c.prepareStatement("DELETE FROM transfers WHERE owner = ? AND id = ?")) {
        chunks.setString(1, owner);
        chunks.setString(2, id);
        chunks.executeUpdate();
        transfer.setString(1, owner);
        transfer.setString(2, id);
        var deleted = transfer.executeUpdate() == 1;
        c.commit();
        return deleted;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new TransferStoreException("delete transfer", e);
    }
  }

  /** Removes the chunk index of a transfer that keeps its row (failed or delivered). */
  public void deleteChunks(String owner, String id) {
    try (var c = dataSource.getConnection();
         var ps = c.prepareStatement("DELETE FROM transfer_chunks WHERE owner = ? AND transfer_id = ?")) {
      ps.setString(1, owner);
      ps.setString(2, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new TransferStoreException("delete chunks", e);
    }
  }

  /** Row count of one of the transfer tables, for tests and the operator view. */
  public long countRows(String table) {
    if (!table.equals("transfers") && !table.equals("transfer_chunks") && !table.equals("transfer_chunk_data")) {
      throw new IllegalArgumentException("not a transfer table: " + table);
    }
    try (var c = dataSource.getConnection(); var ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
         var rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new TransferStoreException("count rows", e);
    }
  }

  private static TransferRecord transfer(ResultSet rs) throws SQLException {
    long total = rs.getLong(6);
    Long totalSize = rs.wasNull() ? null : total;
    return new TransferRecord(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), totalSize,
        rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
        TransferStatus.valueOf(rs.getString(12)), rs.getString(13), rs.getString(14), rs.getLong(15),
        instant(rs, 16), instant(rs, 17), instant(rs, 18));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  /** SQLState 23505 (unique violation) on both H2 and PostgreSQL. */
  private static boolean isDuplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

}
