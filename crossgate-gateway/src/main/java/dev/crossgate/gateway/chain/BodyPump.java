package dev.crossgate.gateway.chain;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;

/**
 * Copies a streamed body (the upstream's) into the client's response, as fast as the client drains
 * it: the source is paused while the response's write queue is full. Completes when the source ends
 * (the caller ends the response, with trailers); fails with the source's error, or with {@link
 * ClientGone} when the client's connection closed first. Runs on the connection's event loop.
 *
 * <p>Used instead of Vert.x's {@code Pipe}, which on every response clears the source's handlers
 * after it ended (each clear of an ended client response builds and swallows an {@code
 * IllegalStateException}) and, when the client hangs up mid-body, asks the closed response whether
 * its queue is full, which throws out of the data handler as an unhandled error.
 */
final class BodyPump {
  /** The client closed its connection before the whole body was written: not a gateway error. */
  static final class ClientGone extends VertxException {
    private static final long serialVersionUID = 1L;

    ClientGone() {
      super("the client closed the connection before the response was complete", true);
    }
  }

  private final ReadStream<Buffer> source;
  private final HttpServerResponse response;
  private final Promise<Void> done = Promise.promise();

  private BodyPump(ReadStream<Buffer> source, HttpServerResponse response) {
    this.source = source;
    this.response = response;
  }

  /** Starts pumping {@code source} (paused or not) into {@code response}. */
  static Future<Void> pump(ReadStream<Buffer> source, HttpServerResponse response) {
    return new BodyPump(source, response).start();
  }

  private Future<Void> start() {
    // called by Vert.x when the connection closes before the response was written
    response.exceptionHandler(t -> clientGone());
    source.exceptionHandler(
        t -> {
          if (response.closed()) {
            clientGone(); // the upstream was reset because the client went away
          } else {
            done.tryFail(t);
          }
        });
    source.endHandler(v -> done.tryComplete());
    source.handler(this::write);
    source.resume();
    return done.future();
  }

  private void write(Buffer chunk) {
    if (done.future().isComplete()) {
      return; // the client went away: what is still in flight is dropped
    }
    if (response.closed()) {
      clientGone();
      return;
    }
    response.write(chunk);
    if (response.writeQueueFull()) {
      source.pause();
      response.drainHandler(v -> source.resume());
    }
  }

  private void clientGone() {
    if (done.tryFail(new ClientGone())) {
      source.resume(); // drain whatever the source still delivers, into the check above
    }
  }
}
