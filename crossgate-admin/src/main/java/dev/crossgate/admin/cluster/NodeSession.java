package dev.crossgate.admin.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossgate.change.Change;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.config.ConfigHash;
import dev.crossgate.json.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's stream on this control plane. It sends the node what it lacks (a DELTA from the node's
 * applied revision, or a SNAPSHOT when the node is new, ahead, inconsistent or older than the
 * retained log), one batch at a time, and resends a batch that is not acknowledged with jittered
 * exponential back-off ({@link ClusterOptions#resendBackoff()}). A NACKed revision (one the node
 * cannot apply at all, e.g. a corrupt batch) is parked: not resent until a newer revision exists or
 * an operator asks for a resync, so a node that cannot apply a change is not hammered with it. A
 * node that applies a revision but rejects some of its resources ACKs it with the rejections: it is
 * not behind, its hash (of what it was sent) is checked as any node's, and the rejections are
 * recorded as its state.
 *
 * <p>The session belongs to the node whose credential opened it ({@link ClusterHub} checks it
 * before the upgrade): a HELLO naming another node closes it, so ACKs and heartbeats are only ever
 * recorded for the node that proved who it is.
 *
 * <p>A node that sends nothing (no HEARTBEAT, ACK or anything else) for {@link
 * ClusterOptions#missedHeartbeats()} of its heartbeat periods is frozen or cut off behind a
 * connection that still looks open: it is recorded disconnected and its stream closed, rather than
 * shown connected with an ever older last-seen. It reconnects when it comes back.
 *
 * <p>Runs on the WebSocket's event loop; database work goes to worker threads and comes back.
 */
final class NodeSession {
  private static final Logger LOG = LoggerFactory.getLogger(NodeSession.class);
  private static final int MAX_DELTA = 10_000;

  /** inFlight while the next batch is read from the database. */
  private static final long PREPARING = Long.MAX_VALUE;

  private final ClusterHub hub;
  private final ServerWebSocket ws;
  private final Context context;
  private final Vertx vertx;

  /** The node whose credential opened this stream, and that credential's SHA-256. */
  private final String authenticatedId;

  private final String credentialHash;

  /**
   * Set by the HELLO: until then the node has not said where it is, and nothing is sent or
   * recorded.
   */
  private String nodeId;

  private String version;
  private long applied = -1;
  private long inFlight = -1;
  private long parked = -1;
  private int attempts;
  private long timer = -1;
  private boolean snapshotNext;
  private boolean closed;

  /**
   * Counts the batches prepared: one whose preparation a resync or a HELLO overtook (it started
   * another) is not sent when it is ready, so an older batch never follows a newer one.
   */
  private long preparations;

  /**
   * When the node last sent anything ({@link System#nanoTime()}), and how long it may stay silent.
   */
  private long lastHeard = System.nanoTime();

  private java.time.Duration silenceLimit;

  NodeSession(ClusterHub hub, ServerWebSocket ws, String authenticatedId, String credentialHash) {
    this.hub = hub;
    this.ws = ws;
    this.authenticatedId = authenticatedId;
    this.credentialHash = credentialHash;
    this.vertx = hub.vertx();
    this.context = vertx.getOrCreateContext();
    ws.textMessageHandler(this::onText);
    ws.exceptionHandler(
        e -> LOG.warn("cluster stream error node={} error=\"{}\"", nodeId, e.getMessage()));
    vertx.setTimer(
        10_000,
        id -> {
          if (nodeId == null && !closed) {
            LOG.warn("cluster stream closed: no HELLO within 10 s remote={}", ws.remoteAddress());
            ws.close((short) 1008, "HELLO expected");
          }
        });
  }

  private void onText(String text) {
    if (closed) {
      return; // closed for silence: a late message must not record the node connected again
    }
    ClusterMessage message;
    try {
      message = ClusterMessage.read(text);
    } catch (JsonProcessingException e) {
      LOG.warn(
          "cluster stream closed: unreadable message node={} error=\"{}\"",
          nodeId,
          e.getOriginalMessage());
      ws.close((short) 1003, "unreadable message");
      return;
    }
    lastHeard = System.nanoTime();
    if (nodeId == null && !(message instanceof ClusterMessage.Hello)) {
      ws.close((short) 1008, "HELLO expected first");
      return;
    }
    if (message instanceof ClusterMessage.Hello hello) {
      hello(hello);
    } else if (message instanceof ClusterMessage.Ack ack) {
      ack(ack);
    } else if (message instanceof ClusterMessage.Nack nack) {
      nack(nack);
    } else if (message instanceof ClusterMessage.Heartbeat heartbeat) {
      heartbeat(heartbeat);
    } else if (message instanceof ClusterMessage.Pull) {
      hub.follower().poke();
      maybeSend();
    } else {
      ws.close((short) 1008, "nodes do not send " + message.getClass().getSimpleName());
    }
  }

  private void hello(ClusterMessage.Hello hello) {
    if (!authenticatedId.equals(hello.nodeId())) {
      // the claimed id is the sender's text: logged only when it is a well-formed id (no log
      // injection)
      LOG.warn(
          "cluster stream closed: HELLO names another node node={} hello={} remote={}",
          authenticatedId,
          NodeCredential.validNodeId(hello.nodeId()) ? hello.nodeId() : "(invalid)",
          ws.remoteAddress());
      ws.close((short) 1008, "HELLO names another node than the credential");
      return;
    }
    nodeId = hello.nodeId();
    version = hello.version();
    cancelTimer(); // a HELLO restates where the node is: whatever was in flight is moot
    inFlight = -1;
    attempts = 0;
    applied = Math.max(0, hello.appliedRevision());
    hub.figures(nodeId).applied(applied);
    silenceLimit = hub.options().silenceLimit(hello.heartbeatMillis());
    hub.register(nodeId, this);
    LOG.info(
        "node connected node={} appliedRevision={} hash={} remote={}",
        nodeId,
        applied,
        hello.configHash(),
        ws.remoteAddress());
    recordSeen(applied, hello.configHash(), null);
    var latest = hub.follower().get().revision();
    if (hello.appliedRevision() == ClusterMessage.Hello.UNCONFIGURED
        || applied > latest
        || !hashMatches(applied, hello.configHash())) {
      snapshotNext = true;
    }
    maybeSend();
  }

  private void ack(ClusterMessage.Ack ack) {
    if (ack.revision() != inFlight) {
      return; // the answer to a batch we already gave up on; the current one will be answered
    }
    cancelTimer();
    inFlight = -1;
    attempts = 0;
    parked = -1;
    applied = ack.revision();
    hub.figures(nodeId).applied(applied);
    vertx
        .executeBlocking(
            () -> {
              hub.nodes()
                  .recordResult(nodeId, ack.revision(), true, ack.hash(), null, ack.rejected());
              return null;
            },
            true)
        .onFailure(
            e -> LOG.warn("could not record ACK node={} error=\"{}\"", nodeId, e.getMessage()));
    if (!ack.rejected().isEmpty()) {
      // applied: the node serves the rest; the rejections are its state, not a reason to resend
      LOG.warn(
          "node applied revision={} with rejections node={} rejected={}",
          ack.revision(),
          nodeId,
          ack.rejected());
    }
    if (!hashMatches(ack.revision(), ack.hash())) {
      LOG.warn(
          "node hash differs node={} revision={} hash={} expected={}",
          nodeId,
          ack.revision(),
          ack.hash(),
          expected(ack.revision()));
      snapshotNext = true;
    }
    maybeSend();
  }

  private void nack(ClusterMessage.Nack nack) {
    if (nack.revision() != inFlight) {
      return;
    }
    cancelTimer();
    inFlight = -1;
    attempts = 0;
    parked = nack.revision();
    hub.figures(nodeId).nacked();
    var reason =
        nack.errors() == null
            ? "no reason given"
            : nack.errors().stream()
                .map(e -> e.entity() + " " + e.id() + ": " + e.message())
                .collect(Collectors.joining("; "));
    LOG.warn(
        "node refused change node={} revision={} reason=\"{}\"; parked until a newer revision or a resync",
        nodeId,
        nack.revision(),
        reason);
    vertx
        .executeBlocking(
            () -> {
              hub.nodes().recordResult(nodeId, nack.revision(), false, null, reason);
              return null;
            },
            true)
        .onFailure(
            e -> LOG.warn("could not record NACK node={} error=\"{}\"", nodeId, e.getMessage()));
  }

  private void heartbeat(ClusterMessage.Heartbeat heartbeat) {
    recordSeen(heartbeat.revision(), heartbeat.hash(), heartbeat.report());
    hub.traffic().report(nodeId, heartbeat.traffic());
    if (inFlight >= 0) {
      return;
    }
    if (heartbeat.revision() != applied) {
      applied = heartbeat.revision(); // e.g. a lost ACK: believe the node, then send what it lacks
      hub.figures(nodeId).applied(applied);
    }
    if (!hashMatches(heartbeat.revision(), heartbeat.hash())) {
      LOG.warn(
          "anti-entropy: node hash differs node={} revision={} hash={} expected={}; sending a snapshot",
          nodeId,
          heartbeat.revision(),
          heartbeat.hash(),
          expected(heartbeat.revision()));
      snapshotNext = true;
    }
    maybeSend();
  }

  /** Closes the stream of a node silent for longer than its limit; called from any thread. */
  void checkSilence() {
    context.runOnContext(
        v -> {
          if (closed || nodeId == null) {
            return;
          }
          long silentMs = (System.nanoTime() - lastHeard) / 1_000_000;
          if (silentMs > silenceLimit.toMillis()) {
            LOG.warn(
                "event=node-silent node={} silentMs={} limitMs={}; marking it disconnected and closing its stream",
                nodeId,
                silentMs,
                silenceLimit.toMillis());
            // recorded now: a frozen node never answers the close handshake, which would hold it
            // for 10 s more
            closed();
            ws.close((short) 1008, "no heartbeat for " + silentMs + " ms");
          }
        });
  }

  /** The configuration moved: called from any thread. */
  void configAdvanced() {
    context.runOnContext(v -> maybeSend());
  }

  /** Sends a full snapshot next, whatever is parked or in flight. */
  void resync(String reason) {
    context.runOnContext(
        v -> {
          LOG.info("resync node={} reason=\"{}\"", nodeId, reason);
          cancelTimer();
          inFlight = -1;
          parked = -1;
          attempts = 0;
          snapshotNext = true;
          maybeSend();
        });
  }

  private void maybeSend() {
    if (closed || nodeId == null || inFlight >= 0) {
      return;
    }
    var config = hub.follower().get();
    long latest = config.revision();
    boolean snapshot = snapshotNext;
    if (!snapshot && (applied >= latest || parked >= latest)) {
      return;
    }
    snapshotNext = false;
    inFlight = PREPARING;
    long from = applied;
    long preparation = ++preparations;
    // reading the log and writing tens of megabytes of JSON is worker work, not event-loop work;
    // unordered: every node's stream shares this event loop, whose ordered tasks are the nodes'
    // ACK and heartbeat records (database writes), and a batch must not wait behind them
    vertx
        .executeBlocking(
            () -> snapshot ? Outgoing.of(ClusterMessage.Snapshot.of(config), latest) : delta(from),
            false)
        .onComplete(
            ar -> {
              if (preparation != preparations) {
                return; // overtaken: the batch prepared since is the one to send
              }
              inFlight = -1;
              if (closed) {
                return;
              }
              if (ar.failed()) {
                LOG.warn(
                    "cannot prepare a batch for node={} error=\"{}\"; retrying",
                    nodeId,
                    ar.cause().getMessage());
                arm(-1, 0);
                return;
              }
              var outgoing = ar.result();
              if (outgoing == null) {
                snapshotNext = true; // the log no longer reaches back to this node
                maybeSend();
              } else if (outgoing.revision() > from || snapshot) {
                send(outgoing);
              }
            });
  }

  /**
   * The changes after {@code from}, ready to send; null when the retained log starts later. Worker
   * thread.
   */
  private Outgoing delta(long from) {
    if (from + 1 < hub.changeLog().oldestRetainedRevision()) {
      return null;
    }
    var changes = hub.changeLog().after(from, MAX_DELTA);
    if (changes.isEmpty()) {
      return new Outgoing("", from, 0);
    }
    long to = changes.get(changes.size() - 1).revision();
    // nodes get what they serve, without before-images; the delta still ends at `to`
    var forNodes =
        changes.stream().filter(c -> c.entityType().reachesNodes()).map(Change::forNodes).toList();
    return Outgoing.of(new ClusterMessage.Delta(from, to, forNodes), to);
  }

  /**
   * A serialized batch: the text frame, the revision it brings the node to, its size in entities.
   */
  private record Outgoing(String text, long revision, int entities) {
    static Outgoing of(ClusterMessage message, long revision) {
      int entities =
          message instanceof ClusterMessage.Delta d
              ? d.changes().size()
              : message instanceof ClusterMessage.Snapshot s ? s.routes().size() : 0;
      return new Outgoing(Json.write(message), revision, entities);
    }
  }

  private void send(Outgoing outgoing) {
    inFlight = outgoing.revision();
    ws.writeTextMessage(outgoing.text())
        .onFailure(e -> LOG.warn("send failed node={} error=\"{}\"", nodeId, e.getMessage()));
    arm(outgoing.revision(), outgoing.entities());
  }

  /**
   * Waits for the answer to {@code revision}; without one, sends again. The node always has the ack
   * timeout, plus 1 ms per entity (a node rebuilding 100,000 routes is slow, not lost); on top
   * comes the hub's jittered back-off for the attempts so far, so that nodes which all missed a
   * batch (a control-plane pause) are not all sent it again at the same moment.
   */
  private void arm(long revision, int entities) {
    long delay =
        hub.options().ackTimeout().toMillis()
            + entities
            + hub.resendBackoff().delay(attempts).toMillis();
    timer =
        vertx.setTimer(
            delay,
            id -> {
              timer = -1;
              if (inFlight == revision && !closed) {
                LOG.warn(
                    "no answer from node={} for revision={} after {} ms; sending again",
                    nodeId,
                    revision,
                    delay);
                inFlight = -1;
                attempts++;
                maybeSend();
              }
            });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private boolean hashMatches(long revision, String hash) {
    var expected = expected(revision);
    return expected == null || expected.equals(hash);
  }

  private String expected(long revision) {
    var hash = hub.follower().hashAt(revision);
    return hash == null ? null : ConfigHash.hex(hash);
  }

  private void recordSeen(long revision, String hash, ClusterMessage.NodeReport report) {
    var id = nodeId;
    vertx
        .executeBlocking(
            () -> {
              hub.nodes().seen(id, revision, hash, version, hub.instanceId(), report);
              return null;
            },
            true)
        .onFailure(e -> LOG.warn("could not record node={} error=\"{}\"", id, e.getMessage()));
  }

  void closed() {
    if (closed) {
      return;
    }
    closed = true;
    cancelTimer();
    if (nodeId != null) {
      hub.unregister(nodeId, this);
      var id = nodeId;
      LOG.info("node disconnected node={}", id);
      vertx.executeBlocking(
          () -> {
            hub.nodes().disconnected(id, hub.instanceId());
            return null;
          },
          true);
    }
  }

  String credentialHash() {
    return credentialHash;
  }

  /** The node was retired by an operator: its credential is gone, so is this stream. Any thread. */
  void retired() {
    context.runOnContext(
        v -> {
          if (!closed) {
            ws.close((short) 1008, "node retired by an operator");
          }
        });
  }

  void replaced() {
    if (!closed) {
      ws.close((short) 1000, "replaced by a newer connection of this node");
    }
  }

  /**
   * The control plane is stopping: 1001 (going away), and the node reconnects to whoever serves.
   */
  void controlPlaneStopping() {
    if (!closed) {
      ws.close((short) 1001, "control plane shutting down");
    }
  }
}
