package dev.crossgate.store.cluster;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.ClusterMessage.Rejection;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.json.Json;
import dev.crossgate.store.Database;
import dev.crossgate.store.sql.Sql;
import dev.crossgate.upstream.PoolHealth;
import dev.crossgate.upstream.UpstreamHealth;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Gateway nodes, their credentials and the node-sync log (every ACK and NACK with node, revision,
 * result, error and time). Shared by every control-plane instance through the database. Blocking:
 * call from a worker thread.
 *
 * <p>A node's state is only written while the node is enrolled: {@link #seen} and {@link
 * #recordResult} lock the node's credential row first, so a heartbeat that races with {@link
 * #retire} either lands before the retirement (and is deleted with it) or finds no credential and
 * writes nothing. A retired node cannot be brought back on the list by a late message of its
 * closing stream, here or on another control-plane instance.
 */
public final class NodeRepository {
  private static final int MAX_ERROR = 4000;

  private final Database database;
  private final Clock clock;

  public NodeRepository(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Records that the node is connected (to {@code adminInstance}) and what it serves; nothing when
   * not enrolled.
   */
  public void seen(
      String nodeId, long appliedRevision, String hash, String version, String adminInstance) {
    seen(nodeId, appliedRevision, hash, version, adminInstance, null);
  }

  /**
   * As above, from a heartbeat: also keeps what the node reports of itself, its view of its
   * upstream pools and its modules' load state ({@code report}; null leaves the last one as it is).
   */
  public void seen(
      String nodeId,
      long appliedRevision,
      String hash,
      String version,
      String adminInstance,
      ClusterMessage.NodeReport report) {
    var now = clock.instant();
    database.inTransaction(
        c -> {
          if (!lockEnrolment(c, nodeId)) {
            return null;
          }
          if (Sql.update(
                  c,
                  "UPDATE nodes SET applied_revision = ?, config_hash = ?, version = ?, admin_instance = ?,"
                      + " connected = TRUE, last_seen = ? WHERE node_id = ?",
                  appliedRevision,
                  hash,
                  version,
                  adminInstance,
                  now,
                  nodeId)
              == 0) {
            Sql.update(
                c,
                "INSERT INTO nodes (node_id, applied_revision, config_hash, version, admin_instance, connected,"
                    + " last_seen, resync_requested) VALUES (?, ?, ?, ?, ?, TRUE, ?, FALSE)",
                nodeId,
                appliedRevision,
                hash,
                version,
                adminInstance,
                now);
          }
          if (report != null) {
            Sql.update(
                c,
                "UPDATE nodes SET upstream_health = ?, upstream_health_at = ?, module_loads = ?"
                    + " WHERE node_id = ?",
                report.upstreams().isEmpty() ? null : Json.write(report.upstreams()),
                now,
                report.modules().isEmpty() ? null : Json.write(report.modules()),
                nodeId);
          }
          return null;
        });
  }

  /**
   * Every node's last reported view of upstream {@code upstreamId}, by node id; nodes that did not
   * report it (it is new to them, or they refuse it) are not listed.
   */
  public List<UpstreamHealth.NodeView> upstreamHealth(String upstreamId) {
    var reports =
        database.read(
            c ->
                Sql.query(
                    c,
                    "SELECT node_id, connected, upstream_health, upstream_health_at FROM nodes"
                        + " WHERE upstream_health IS NOT NULL ORDER BY node_id",
                    row ->
                        new HealthReport(
                            row.getString("node_id"),
                            row.getBoolean("connected"),
                            row.getString("upstream_health"),
                            Sql.instant(row, "upstream_health_at"))));
    var views = new ArrayList<UpstreamHealth.NodeView>();
    for (var report : reports) {
      for (var pool : read(report.json(), PoolHealth[].class, "upstream health")) {
        if (pool.upstream().equals(upstreamId)) {
          views.add(
              UpstreamHealth.NodeView.of(report.node(), report.at(), report.connected(), pool));
        }
      }
    }
    return views;
  }

  /**
   * The load state of {@code tenant}'s module {@code sha256} on every node on the list, by node id:
   * the node's last report, or {@link ModuleLoad.State#NOT_LOADED} from a node that never loaded it
   * for this tenant (or has not reported).
   */
  public List<ModuleLoad.OnNode> moduleLoads(String tenant, String sha256) {
    var reports =
        database.read(
            c ->
                Sql.query(
                    c,
                    "SELECT node_id, module_loads FROM nodes ORDER BY node_id",
                    row ->
                        new LoadReport(row.getString("node_id"), row.getString("module_loads"))));
    var states = new ArrayList<ModuleLoad.OnNode>();
    for (var report : reports) {
      var state = ModuleLoad.OnNode.notLoaded(report.node());
      if (report.json() != null) {
        for (var load : read(report.json(), ModuleLoad[].class, "module load states")) {
          if (load.tenant().equals(tenant) && load.sha256().equals(sha256)) {
            state = ModuleLoad.OnNode.of(report.node(), load);
          }
        }
      }
      states.add(state);
    }
    return states;
  }

  /**
   * Appends an ACK or NACK to the node-sync log and updates the node's state; nothing when not
   * enrolled.
   */
  public void recordResult(String nodeId, long revision, boolean ack, String hash, String error) {
    recordResult(nodeId, revision, ack, hash, error, List.of());
  }

  /**
   * As above, with the resources an ACKing node rejects: kept as the node's state (an ACK replaces
   * them, a NACK leaves them) and summed up as the error of its node-sync log row.
   */
  public void recordResult(
      String nodeId,
      long revision,
      boolean ack,
      String hash,
      String error,
      List<Rejection> rejected) {
    var now = clock.instant();
    if (ack && !rejected.isEmpty()) {
      error =
          "rejected: "
              + rejected.stream()
                  .map(r -> r.entityType() + " " + r.entityId() + ": " + r.reason())
                  .collect(Collectors.joining("; "));
    }
    var trimmed = error == null ? null : error.substring(0, Math.min(error.length(), MAX_ERROR));
    var rejectedJson = rejected.isEmpty() ? null : Json.write(rejected);
    database.inTransaction(
        c -> {
          if (!lockEnrolment(c, nodeId)) {
            return null;
          }
          Sql.update(
              c,
              "INSERT INTO node_sync_log (node_id, revision, result, config_hash, error, at)"
                  + " VALUES (?, ?, ?, ?, ?, ?)",
              nodeId,
              revision,
              ack ? "ACK" : "NACK",
              hash,
              trimmed,
              now);
          if (ack) {
            Sql.update(
                c,
                "UPDATE nodes SET applied_revision = ?, config_hash = ?, last_result = 'ACK', last_revision = ?,"
                    + " last_error = NULL, rejected = ?, last_seen = ? WHERE node_id = ?",
                revision,
                hash,
                revision,
                rejectedJson,
                now,
                nodeId);
          } else {
            Sql.update(
                c,
                "UPDATE nodes SET last_result = 'NACK', last_revision = ?, last_error = ?, last_seen = ?"
                    + " WHERE node_id = ?",
                revision,
                trimmed,
                now,
                nodeId);
          }
          return null;
        });
  }

  public void disconnected(String nodeId, String adminInstance) {
    database.inTransaction(
        c ->
            Sql.update(
                c,
                "UPDATE nodes SET connected = FALSE WHERE node_id = ? AND admin_instance = ?",
                nodeId,
                adminInstance));
  }

  /**
   * Enrols {@code nodeId} with the SHA-256 (hex) of its new credential; false when the id is
   * enrolled already. The primary key decides between two control-plane instances enrolling the
   * same id at once: one insert wins, the other sees a unique violation.
   */
  public boolean enrol(String nodeId, String credentialHash) {
    return database.read(
        c -> {
          try {
            Sql.update(
                c,
                "INSERT INTO node_credentials (node_id, credential_hash, enrolled_at) VALUES (?, ?, ?)",
                nodeId,
                credentialHash,
                clock.instant());
            return true;
          } catch (SQLException e) {
            if (Sql.isDuplicateKey(e)) {
              return false;
            }
            throw e;
          }
        });
  }

  /** The SHA-256 (hex) of the node's credential; empty when the node is not enrolled. */
  public Optional<String> credentialHash(String nodeId) {
    return database.read(
        c ->
            Sql.queryOne(
                c,
                "SELECT credential_hash FROM node_credentials WHERE node_id = ?",
                row -> row.getString("credential_hash"),
                nodeId));
  }

  /** Every enrolled node id with the SHA-256 (hex) of its credential. */
  public Map<String, String> credentialHashes() {
    return database
        .read(
            c ->
                Sql.query(
                    c,
                    "SELECT node_id, credential_hash FROM node_credentials",
                    row -> Map.entry(row.getString("node_id"), row.getString("credential_hash"))))
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /**
   * Retires a node: deletes its credential and its entry, so it is no longer listed and its id may
   * be enrolled afresh. Its node-sync log stays (what it acknowledged remains history).
   *
   * @return false when the node was neither enrolled nor listed
   */
  public boolean retire(String nodeId) {
    return database.inTransaction(
        c -> {
          int deleted = 0;
          for (var sql :
              List.of(
                  "DELETE FROM node_credentials WHERE node_id = ?",
                  "DELETE FROM nodes WHERE node_id = ?")) {
            deleted += Sql.update(c, sql, nodeId);
          }
          return deleted > 0;
        });
  }

  /** Locks the node's credential row for this transaction; false when the node is not enrolled. */
  private static boolean lockEnrolment(Connection c, String nodeId) throws SQLException {
    return Sql.exists(c, "SELECT 1 FROM node_credentials WHERE node_id = ? FOR UPDATE", nodeId);
  }

  /** Flags a node for a full resync; the control-plane instance holding its stream acts on it. */
  public boolean requestResync(String nodeId, boolean requested) {
    return database.inTransaction(
        c ->
            Sql.update(
                    c, "UPDATE nodes SET resync_requested = ? WHERE node_id = ?", requested, nodeId)
                > 0);
  }

  public List<NodeRecord> all() {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT node_id, applied_revision, config_hash, version, admin_instance,"
                    + " connected, last_seen, last_result, last_revision, last_error, resync_requested, rejected"
                    + " FROM nodes ORDER BY node_id",
                row ->
                    new NodeRecord(
                        row.getString("node_id"),
                        row.getLong("applied_revision"),
                        row.getString("config_hash"),
                        row.getString("version"),
                        row.getString("admin_instance"),
                        row.getBoolean("connected"),
                        Sql.instant(row, "last_seen"),
                        row.getString("last_result"),
                        Sql.nullableLong(row, "last_revision"),
                        row.getString("last_error"),
                        row.getBoolean("resync_requested"),
                        rejections(row.getString("rejected")))));
  }

  private record HealthReport(String node, boolean connected, String json, Instant at) {}

  private record LoadReport(String node, String json) {}

  private static List<Rejection> rejections(String json) {
    return json == null ? List.of() : read(json, Rejection[].class, "rejections");
  }

  private static <T> List<T> read(String json, Class<T[]> type, String what) {
    try {
      return List.of(Json.mapper().readValue(json, type));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(
          "unreadable " + what + " of a node: " + e.getOriginalMessage(), e);
    }
  }

  /** The node-sync log of one node, newest first. */
  public List<SyncResult> history(String nodeId, int limit) {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT revision, result, config_hash, error, at FROM node_sync_log"
                    + " WHERE node_id = ? ORDER BY id DESC LIMIT ?",
                row ->
                    new SyncResult(
                        row.getLong("revision"),
                        row.getString("result"),
                        row.getString("config_hash"),
                        row.getString("error"),
                        Sql.instant(row, "at")),
                nodeId,
                limit));
  }

  /** One row of the node-sync log. */
  public record SyncResult(
      long revision, String result, String hash, String error, java.time.Instant at) {}
}
