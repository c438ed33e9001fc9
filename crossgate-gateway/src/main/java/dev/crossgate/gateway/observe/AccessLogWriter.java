package dev.crossgate.gateway.observe;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's access-log thread: event loops {@link #offer} entries into a bounded queue and never
 * wait; one daemon thread ({@code crossgate-access-log}) formats them and hands each line to the
 * sink (the {@code crossgate.access} logger) in arrival order.
 *
 * <p>Producers never wake the writer (a wake-up per request was a futex call per request): the
 * queue is lock-free and the writer, once it has emptied it, sleeps {@value #IDLE_PARK_MS} ms
 * before it looks again. A line is therefore written at most that long after its request ended.
 *
 * <p>When the destination cannot keep up and the queue is full, the entry is dropped, never waited
 * for: the event loop must not block on a log. Drops are never silent: they are counted ({@link
 * #dropped()}, exported as {@code crossgate_access_log_dropped_total}) and the writer logs one WARN
 * line with the count at most once a second while drops go on.
 */
final class AccessLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
  static final int DEFAULT_CAPACITY = 65_536;
  static final long IDLE_PARK_MS = 5;
  private static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final AccessLog.Entry STOP =
      new AccessLog.Entry(false, "", "", 0, "", "", 0, 0, 0, "", "", null, null, false, null);

  private final int capacity;
  private final ConcurrentLinkedQueue<AccessLog.Entry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final Consumer<AccessLog.Entry> sink;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;
  private long reportedDrops;
  private long lastReport;

  AccessLogWriter(int capacity, Consumer<AccessLog.Entry> sink) {
    this.capacity = capacity;
    this.sink = sink;
    this.thread = new Thread(this::run, "crossgate-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  /** Any thread, never blocks: queues the entry, or counts it as dropped when the queue is full. */
  void offer(AccessLog.Entry entry) {
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    queue.offer(entry);
  }

  /** Entries dropped because the queue was full, since the node started. */
  long dropped() {
    return dropped.get();
  }

  private void run() {
    while (true) {
      var entry = queue.poll();
      if (entry == null) {
        reportDrops(false);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_PARK_MS));
        if (Thread.interrupted()) {
          return;
        }
        continue;
      }
      queued.decrementAndGet();
      if (entry == STOP) {
        reportDrops(true);
        return;
      }
      try {
        sink.accept(entry);
      } catch (RuntimeException e) {
        LOG.warn("access log line not written cause={}", e.toString());
      }
    }
  }

  private void reportDrops(boolean force) {
    long total = dropped.get();
    long now = System.nanoTime();
    if (total != reportedDrops && (force || now - lastReport >= REPORT_INTERVAL_NANOS)) {
      LOG.warn(
          "access log lines dropped count={} total={} (the log destination is slower than the traffic)",
          total - reportedDrops,
          total);
      reportedDrops = total;
      lastReport = now;
    }
  }

  /** Writes what is queued (for at most two seconds), then stops the thread. */
  @Override
  public void close() {
    queued.incrementAndGet(); // past the bound on purpose: the stop must not be dropped
    queue.offer(STOP);
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
    }
  }
}
