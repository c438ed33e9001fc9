package dev.crossgate.gateway.upstream;

import dev.crossgate.upstream.Upstream;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.SrvRecord;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The targets behind one {@code dns+srv://} name, re-resolved on the records' TTL (at least {@link
 * #MIN_TTL_MS}, at most {@link #MAX_TTL_MS}): only the lowest priority's records count, each one a
 * plain-http target {@code http://<host>:<port>} weighted by its SRV weight. The host stays a name:
 * the proxy connects to it through the node's resolver, which caches it on its own TTL, keeps the
 * name as the Host authority and resolves it at connect time like any other target. A failed lookup
 * keeps the last known targets (logged once per streak of failures) and is tried again soon.
 */
final class SrvDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(SrvDiscovery.class);
  static final long MIN_TTL_MS = 1_000;
  static final long MAX_TTL_MS = 300_000;

  /** After a failed lookup: soon, but not in a tight loop against a sick resolver. */
  private static final long RETRY_MS = 2_000;

  private final Vertx vertx;
  private final DnsClient dns;
  private final String name;
  private final Runnable changed;
  private volatile List<Upstream.Target> targets = List.of();
  private volatile boolean stopped;
  private boolean failing;
  private long timer = -1;

  SrvDiscovery(Vertx vertx, DnsClient dns, String name, Runnable changed) {
    this.vertx = vertx;
    this.dns = dns;
    this.name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    this.changed = changed;
    resolve();
  }

  /** The last known targets; empty until the first answer. */
  List<Upstream.Target> targets() {
    return targets;
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void resolve() {
    if (stopped) {
      return;
    }
    dns.resolveSRV(name)
        .onComplete(
            ar -> {
              if (stopped) {
                return;
              }
              long next;
              if (ar.succeeded() && !ar.result().isEmpty()) {
                var records = ar.result();
                if (failing) {
                  failing = false;
                  LOG.info("SRV lookup answers again name={}", name);
                }
                next = ttlMillis(records);
                update(expand(records));
              } else {
                if (!failing) {
                  failing = true;
                  LOG.warn(
                      "SRV lookup failed name={} cause={}; keeping {} known targets",
                      name,
                      ar.succeeded() ? "no records" : ar.cause().toString(),
                      targets.size());
                }
                next = RETRY_MS;
              }
              timer = vertx.setTimer(next, t -> resolve());
            });
  }

  private void update(List<Upstream.Target> found) {
    if (!found.equals(targets)) {
      LOG.info("SRV targets name={} targets={}", name, found);
      targets = found;
      changed.run();
    }
  }

  /** The lowest priority's records as targets, in a stable order (the balancers' state follows). */
  static List<Upstream.Target> expand(List<SrvRecord> records) {
    int lowest = records.stream().mapToInt(SrvRecord::priority).min().orElse(0);
    return records.stream()
        .filter(r -> r.priority() == lowest)
        .map(r -> new Upstream.Target("http://" + host(r.target()) + ":" + r.port(), weight(r)))
        .distinct()
        .sorted(Comparator.comparing(Upstream.Target::url))
        .toList();
  }

  private static String host(String target) {
    return target.endsWith(".") ? target.substring(0, target.length() - 1) : target;
  }

  /** SRV weight 0 means "rarely"; a balancer weight must be at least 1. */
  private static int weight(SrvRecord record) {
    return Math.max(1, record.weight());
  }

  private static long ttlMillis(List<SrvRecord> records) {
    long ttl = records.stream().mapToLong(SrvRecord::ttl).min().orElse(0) * 1_000;
    return Math.min(MAX_TTL_MS, Math.max(MIN_TTL_MS, ttl));
  }
}
