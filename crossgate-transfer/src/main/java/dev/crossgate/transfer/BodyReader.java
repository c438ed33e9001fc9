package dev.crossgate.transfer;

import dev.crossgate.digest.DigestAlgorithm;
import dev.crossgate.problem.ProblemException;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * Reads a request body of bounded size into memory. The bound is the contract (Envoy's buffer
 * limit): past {@code limit} bytes the read fails with 413 and the connection is closed, so a
 * client cannot make the gateway hold more than one chunk per request. Event loop only.
 */
final class BodyReader {
  private BodyReader() {}

  static Future<Buffer> read(HttpServerRequest request, long limit) {
    Promise<Buffer> promise = Promise.promise();
    var declared = request.getHeader("Content-Length");
    int initial = 4096;
    if (declared != null) {
      try {
        initial = (int) Math.min(limit, Math.max(0, Long.parseLong(declared)));
      } catch (NumberFormatException ignored) {
        // Vert.x rejects a malformed Content-Length before we get here
      }
    }
    var body = Buffer.buffer(initial);
    request.handler(
        data -> {
          if (promise.future().isComplete()) {
            return;
          }
          if (body.length() + data.length() > limit) {
            promise.tryFail(new ProblemException(TransferProblems.tooLarge("the body", limit)));
            closeAfterAnswer(request);
            return;
          }
          body.appendBuffer(data);
        });
    request.endHandler(v -> promise.tryComplete(body));
    request.exceptionHandler(promise::tryFail);
    start(request);
    return promise.future();
  }

  /**
   * Receives a body of at most {@code limit} bytes into one aligned direct buffer from {@code
   * buffers}, digesting it on the way in while each piece is still in the CPU cache. The direct
   * buffer goes to disk without another copy; the caller gives it back with {@link
   * ReceivedBody#release()}. Event loop only.
   */
  static Future<ReceivedBody> receive(
      HttpServerRequest request, int limit, DigestAlgorithm algorithm, ChunkBuffers buffers) {
    Promise<ReceivedBody> promise = Promise.promise();
    var data = buffers.take(limit);
    var digest = algorithm.start();
    request.handler(
        piece -> {
          if (promise.future().isComplete()) {
            return;
          }
          if (data.readableBytes() + piece.length() > limit) {
            data.release();
            promise.tryFail(new ProblemException(TransferProblems.tooLarge("the body", limit)));
            closeAfterAnswer(request);
            return;
          }
          var bytes = ((BufferInternal) piece).getByteBuf();
          digest.update(bytes.nioBuffer());
          data.writeBytes(bytes);
        });
    request.endHandler(v -> promise.tryComplete(new ReceivedBody(data, digest.finish(), buffers)));
    request.exceptionHandler(
        e -> {
          if (promise.tryFail(e)) {
            data.release();
          }
        });
    start(request);
    return promise.future();
  }

  /** A body held in a direct buffer, with its digest. Release it once stored. */
  record ReceivedBody(ByteBuf data, byte[] digest, ChunkBuffers buffers) {
    int length() {
      return data.readableBytes();
    }

    ByteBuffer nio() {
      return data.nioBuffer();
    }

    void release() {
      buffers.giveBack(data);
    }
  }

  /**
   * Lets the body flow: answers {@code Expect: 100-continue} (RFC 9110 section 10.1.1) only now,
   * after the request was checked, so a client never sends a body the gateway will refuse. Clients
   * such as java.net.HttpURLConnection otherwise wait seconds before sending it anyway.
   */
  static void start(HttpServerRequest request) {
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))
        && !request.response().headWritten()) {
      request.response().writeContinue();
    }
    request.resume();
  }

  /** Discards an unread body so the connection can be reused after an early reply. */
  static void discard(HttpServerRequest request) {
    if (!request.isEnded()) {
      request.handler(data -> {});
      request.exceptionHandler(e -> {});
      request.resume();
    }
  }

  /**
   * The rest of the body stays unread: the answer closes the connection (if it is not already under
   * way).
   */
  private static void closeAfterAnswer(HttpServerRequest request) {
    if (!request.response().headWritten()) {
      request.response().putHeader("Connection", "close");
    }
  }
}
