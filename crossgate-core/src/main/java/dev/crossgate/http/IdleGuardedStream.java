package dev.crossgate.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.TimeoutException;

/**
 * A response body that is abandoned when its sender sends nothing for an idle timeout (like nginx's
 * {@code proxy_read_timeout}): the gateway's upstream answers and the agent's gateway answers. Time
 * spent paused because the client reads slowly does not count: that is the client's pace, not the
 * upstream's silence. The timer is armed when the reader first resumes the stream and the body has
 * not ended during that call (a small body that arrived with the head is delivered right there, and
 * costs no timer at all), and re-armed only when it fires. Runs on the connection's event loop.
 *
 * <p>The end and exception handlers are registered on the upstream response once, here, and forward
 * to whatever handler the reader set last. A reader that clears its handlers after the response
 * ended ({@code Pipe} does, on every response) must not reach the response itself: Vert.x answers a
 * non-null handler on an ended response with an {@code IllegalStateException}, and building that
 * exception's stack trace was a tenth of the proxy's allocation.
 */
public final class IdleGuardedStream implements ReadStream<Buffer> {
  private final HttpClientResponse delegate;
  private final Vertx vertx;
  private final long idleNanos;
  private final Runnable onIdle;
  private long lastActivity = System.nanoTime();
  private boolean paused;
  private long timer = -1;
  private boolean finished;
  private boolean timedOut;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  /**
   * @param onIdle what abandons the body once the sender was silent for {@code idleMs} (resetting
   *     its request, which ends the body with an exception); runs on the event loop
   */
  public IdleGuardedStream(HttpClientResponse delegate, Vertx vertx, long idleMs, Runnable onIdle) {
    this.delegate = delegate;
    this.vertx = vertx;
    this.idleNanos = idleMs * 1_000_000;
    this.onIdle = onIdle;
    delegate.endHandler(
        v -> {
          finish();
          var h = endHandler;
          if (h != null) {
            h.handle(v);
          }
        });
    delegate.exceptionHandler(
        t -> {
          finish();
          var h = exceptionHandler;
          if (h != null) {
            h.handle(t);
          }
        });
  }

  /** After the reader asked for data: guard the rest of the body unless it already ended. */
  private void armOnce() {
    if (!finished && timer < 0) {
      arm(idleNanos / 1_000_000);
    }
  }

  private void arm(long ms) {
    timer = vertx.setTimer(Math.max(1, ms), id -> check());
  }

  private void check() {
    if (finished) {
      return;
    }
    long idle = System.nanoTime() - lastActivity;
    if (paused || idle < idleNanos) {
      arm(paused ? idleNanos / 1_000_000 : (idleNanos - idle) / 1_000_000);
      return;
    }
    finished = true;
    timedOut = true;
    onIdle.run();
  }

  /**
   * The whole body, for an answer small enough to hold: kept as delivered when it comes in one
   * piece (Vert.x hands each piece over in a heap buffer of its own), fails with a {@link
   * TimeoutException} when the sender went silent, with the read's own failure otherwise.
   */
  public Future<Buffer> body() {
    var whole = Promise.<Buffer>promise();
    var pieces = new Buffer[1];
    handler(piece -> pieces[0] = pieces[0] == null ? piece : pieces[0].appendBuffer(piece));
    exceptionHandler(
        t ->
            whole.tryFail(
                timedOut
                    ? new TimeoutException("silent for " + idleNanos / 1_000_000 + " ms")
                    : t));
    endHandler(v -> whole.tryComplete(pieces[0] == null ? Buffer.buffer() : pieces[0]));
    resume();
    return whole.future();
  }

  private void finish() {
    finished = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      delegate.handler(null); // null never reaches Vert.x's "already ended" check
      return this;
    }
    delegate.handler(
        chunk -> {
          lastActivity = System.nanoTime();
          handler.handle(chunk);
        });
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    paused = true;
    delegate.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    paused = false;
    lastActivity = System.nanoTime();
    delegate.resume();
    armOnce();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    paused = false;
    lastActivity = System.nanoTime();
    delegate.fetch(amount);
    armOnce();
    return this;
  }
}
