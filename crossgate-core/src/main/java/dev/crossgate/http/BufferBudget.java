package dev.crossgate.http;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node-wide budget for bytes held in memory by requests whose bodies must be read whole (async
 * task bodies and results, extension bodies, tus segments). Streamed proxy traffic never draws on
 * it. When a request would take the node over its budget it gets 503 with Retry-After instead of an
 * {@code OutOfMemoryError} for everyone: many tenants flooding large bodies at once degrade to
 * refusals, not to a dead process. Thread-safe; shared by every event loop.
 */
public final class BufferBudget {
  /** No budget: every reservation succeeds (tests, tools). */
  public static final BufferBudget UNLIMITED = new BufferBudget(Long.MAX_VALUE);

  private final long capacity;
  private final AtomicLong used = new AtomicLong();

  private BufferBudget(long capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("a buffer budget is at least 0 bytes, got " + capacity);
    }
    this.capacity = capacity;
  }

  public static BufferBudget of(long capacityBytes) {
    return new BufferBudget(capacityBytes);
  }

  public long capacity() {
    return capacity;
  }

  /** Bytes reserved right now. */
  public long used() {
    return used.get();
  }

  /** A lease for one request: what it reserves is released together by {@link Lease#close()}. */
  public Lease lease() {
    return new Lease();
  }

  private boolean tryReserve(long bytes) {
    while (true) {
      long current = used.get();
      if (bytes > capacity - current) {
        return false;
      }
      if (used.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  /** The problem a request gets when the budget is spent: 503, retry in a second. */
  public Problem exhausted() {
    return Problem.of(
            "buffer-budget-exhausted",
            "Node busy",
            503,
            "this node holds its budget of "
                + capacity
                + " bytes for bodies it reads whole; try again shortly")
        .with("budget", capacity)
        .with("retryAfter", 1);
  }

  /**
   * The bytes one request holds. Not thread-safe: used from the request's event loop (or handed
   * from it to one worker at a time).
   */
  public final class Lease implements AutoCloseable {
    private long held;
    private boolean closed;

    private Lease() {}

    /**
     * Reserves {@code bytes} more for this request.
     *
     * @throws ProblemException 503 {@link #exhausted()} when the node's budget cannot cover them
     */
    public void reserve(long bytes) {
      if (closed) {
        throw new IllegalStateException("lease already released");
      }
      if (bytes <= 0) {
        return;
      }
      if (!tryReserve(bytes)) {
        throw new ProblemException(exhausted());
      }
      held += bytes;
    }

    /** Gives back {@code bytes} of what this lease holds (a segment that has been stored). */
    public void release(long bytes) {
      long n = Math.min(Math.max(bytes, 0), held);
      held -= n;
      used.addAndGet(-n);
    }

    public long held() {
      return held;
    }

    /** Releases everything this lease reserved; idempotent. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        used.addAndGet(-held);
        held = 0;
      }
    }
  }
}
