package dev.crossgate.store.cluster;

import dev.crossgate.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gateway nodes, their credentials and the node-sync log (every ACK and NACK with node, revision,
 * result, error and time). Shared by every control-plane instance through the database. Blocking:
 * call from a worker thread.
 *
 * <p>A node's state is only written while the node is enrolled: {@link #seen} and
 * {@link #recordResult} lock the node's credential row first, so a heartbeat that races with
 * {@link #retire} either lands before the retirement (and is deleted with it) or finds no
 * credential and writes nothing. A retired node cannot be brought back on the list by a late
 * message of its closing stream, here or on another control-plane instance.
 */
public final class NodeRepository {
  private static final int MAX_ERROR = 4000;

  private final Database database;
  private final Clock clock;

  public NodeRepository(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** Records that the node is connected (to {@code adminInstance}) and what it serves; nothing when not enrolled. */
  public void seen(String nodeId, long appliedRevision, String hash, String version, String adminInstance) {
    database.inTransaction(c -> {
      if (!lockEnrolment(c, nodeId)) {
        return null;
      }
      try (var update = c.prepareStatement("UPDATE nodes SET applied_revision = ?, config_hash = ?, version = ?,"
          + " admin_instance = ?, connected = TRUE, last_seen = ? WHERE node_id = ?")) {
        update.setLong(1, appliedRevision);
        update.setString(2, hash);
        update.setString(3, version);
        update.setString(4, adminInstance);
        update.setTimestamp(5, Timestamp.from(clock.instant()));
        update.setString(6, nodeId);
        if (update.executeUpdate() == 0) {
          insert(c, nodeId, appliedRevision, hash, version, adminInstance);
        }
      }
      return null;
    });
  }

  private void insert(Connection c, String nodeId, long revision, String hash, String version, String admin)
      throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO nodes (node_id, applied_revision, config_hash, version,"
        + " admin_instance, connected, last_seen, resync_requested) VALUES (?, ?, ?, ?, ?, TRUE, ?, FALSE)")) {
      ps.setString(1, nodeId);
      ps.setLong(2, revision);
      ps.setString(3, hash);
      ps.setString(4, version);
      ps.setString(5, admin);
      ps.setTimestamp(6, Timestamp.from(clock.instant()));
      ps.executeUpdate();
    }
  }

  /** Appends an ACK or NACK to the node-sync log and updates the node's state; nothing when not enrolled. */
  public void recordResult(String nodeId, long revision, boolean ack, String hash, String error) {
    var now = Timestamp.from(clock.instant());
    var trimmed = error == null ? null : error.substring(0, Math.min(error.length(), MAX_ERROR));
    database.inTransaction(c -> {
      if (!lockEnrolment(c, nodeId)) {
        return null;
      }
      try (var ps = c.prepareStatement("INSERT INTO node_sync_log (node_id, revision, result, config_hash, error, at)"
          + " VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, nodeId);
        ps.setLong(2, revision);
        ps.setString(3, ack ? "ACK" : "NACK");
        ps.setString(4, hash);
        ps.setString(5, trimmed);
        ps.setTimestamp(6, now);
        ps.executeUpdate();
      }
      var sql = ack
          ? "UPDATE nodes SET applied_revision = ?, config_hash = ?, last_result = 'ACK', last_revision = ?,"
              + " last_error = NULL, last_seen = ? WHERE node_id = ?"
          : "UPDATE nodes SET last_result = 'NACK', last_revision = ?, last_error = ?, last_seen = ? WHERE node_id = ?";
      try (var ps = c.prepareStatement(sql)) {
        int i = 1;
        if (ack) {
          ps.setLong(i++, revision);
          ps.setString(i++, hash);
          ps.setLong(i++, revision);
        } else {
          ps.setLong(i++, revision);
          ps.setString(i++, trimmed);
        }
        ps.setTimestamp(i++, now);
        ps.setString(i, nodeId);
        ps.executeUpdate();
      }
      return null;
    });
  }

  public void disconnected(String nodeId, String adminInstance) {
    database.inTransaction(c -> {
      try (var ps = c.prepareStatement(
          "UPDATE nodes SET connected = FALSE WHERE node_id = ? AND admin_instance = ?")) {
        ps.setString(1, nodeId);
        ps.setString(2, adminInstance);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Enrols {@code nodeId} with the SHA-256 (hex) of its new credential; false when the id is
   * enrolled already. The primary key decides between two control-plane instances enrolling the
   * same id at once: one insert wins, the other sees a unique violation.
   */
  public boolean enrol(String nodeId, String credentialHash) {
    return database.read(c -> {
      try (var ps = c.prepareStatement(
          "INSERT INTO node_credentials (node_id, credential_hash, enrolled_at) VALUES (?, ?, ?)")) {
        ps.setString(1, nodeId);
        ps.setString(2, credentialHash);
        ps.setTimestamp(3, Timestamp.from(clock.instant()));
        ps.executeUpdate();
        return true;
      } catch (SQLException e) {
        if ("23505".equals(e.getSQLState())) { // unique violation, on H2 and PostgreSQL
          return false;
        }
        throw e;
      }
    });
  }

  /** The SHA-256 (hex) of the node's credential; empty when the node is not enrolled. */
  public Optional<String> credentialHash(String nodeId) {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT credential_hash FROM node_credentials WHERE node_id = ?")) {
        ps.setString(1, nodeId);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /** Every enrolled node id with the SHA-256 (hex) of its credential. */
  public Map<String, String> credentialHashes() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT node_id, credential_hash FROM node_credentials");
          var rs = ps.executeQuery()) {
        var out = new HashMap<String, String>();
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
        return out;
      }
    });
  }

  /**
   * Retires a node: deletes its credential and its entry, so it is no longer listed and its id
   * may be enrolled afresh. Its node-sync log stays (what it acknowledged remains history).
   *
   * @return false when the node was neither enrolled nor listed
   */
  public boolean retire(String nodeId) {
    return database.inTransaction(c -> {
      int deleted = 0;
      for (var sql : List.of("DELETE FROM node_credentials WHERE node_id = ?", "DELETE FROM nodes WHERE node_id = ?")) {
        try (var ps = c.prepareStatement(sql)) {
          ps.setString(1, nodeId);
          deleted += ps.executeUpdate();
        }
      }
      return deleted > 0;
    });
  }

  /** Locks the node's credential row for this transaction; false when the node is not enrolled. */
  private static boolean lockEnrolment(Connection c, String nodeId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM node_credentials WHERE node_id = ? FOR UPDATE")) {
      ps.setString(1, nodeId);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Flags a node for a full resync; the control-plane instance holding its stream acts on it. */
  public boolean requestResync(String nodeId, boolean requested) {
    return database.inTransaction(c -> {
      try (var ps = c.prepareStatement("UPDATE nodes SET resync_requested = ? WHERE node_id = ?")) {
        ps.setBoolean(1, requested);
        ps.setString(2, nodeId);
        return ps.executeUpdate() > 0;
      }
    });
  }

  public List<NodeRecord> all() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT node_id, applied_revision, config_hash, version, admin_instance,"
          + " connected, last_seen, last_result, last_revision, last_error, resync_requested FROM nodes ORDER BY node_id");
          var rs = ps.executeQuery()) {
        var out = new ArrayList<NodeRecord>();
        while (rs.next()) {
          long lastRevision = rs.getLong(9);
          out.add(new NodeRecord(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.getBoolean(6), rs.getTimestamp(7).toInstant(), rs.getString(8), rs.wasNull() ? null : lastRevision,
              rs.getString(10), rs.getBoolean(11)));
        }
        return out;
      }
    });
  }

  /** The node-sync log of one node, newest first. */
  public List<SyncResult> history(String nodeId, int limit) {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT revision, result, config_hash, error, at FROM node_sync_log"
          + " WHERE node_id = ? ORDER BY id DESC LIMIT ?")) {
        ps.setString(1, nodeId);
        ps.setInt(2, limit);
        try (var rs = ps.executeQuery()) {
          var out = new ArrayList<SyncResult>();
          while (rs.next()) {
            out.add(new SyncResult(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getTimestamp(5).toInstant()));
          }
          return out;
        }
      }
    });
  }

  /** One row of the node-sync log. */
  public record SyncResult(long revision, String result, String hash, String error, java.time.Instant at) {}

}
