package dev.crossgate.gateway.transfer;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;

/**
 * Streams an assembled file — its chunk files one after the other — to the transfer's target URL
 * as one {@code POST} with a known {@code Content-Length}, never holding more than one chunk.
 * Runs on the event loop (asynchronous file and socket I/O). Handing the file to a route or an
 * async task instead of a URL is a later step (see issue 6).
 */
final class TargetDelivery {
  private final HttpClient client;

  TargetDelivery(HttpClient client) {
    this.client = client;
  }

  /** Reads one stored chunk whole; the future completes on the caller's context. */
  interface ChunkSource {
    Future<Buffer> chunk(long number);
  }

  Future<DeliveryResult> deliver(String target, String transferId, List<Long> chunks, ChunkSource source, long size,
      String fileDigest) {
    var options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target)
        .putHeader("Content-Type", "application/octet-stream")
        .putHeader("Content-Length", Long.toString(size))
        .putHeader("X-Crossgate-Transfer-Id", transferId);
    if (fileDigest != null) {
      options.putHeader("Repr-Digest", fileDigest);
    }
    return client.request(options)
        .compose(request -> sendChunks(request, chunks, source).compose(v -> request.response()))
        .compose(response -> response.body().map(body -> {
          var ok = response.statusCode() >= 200 && response.statusCode() < 300;
          return new DeliveryResult(ok, "POST " + target + " answered " + response.statusCode());
        }))
        .recover(failure -> Future.succeededFuture(
            new DeliveryResult(false, "POST " + target + " failed: " + failure.getMessage())));
  }

  /**
   * Writes the chunks one after the other. Each chunk is read whole (at most
   * {@code maxChunkSize} bytes) and the next is only read once the previous one was written to
   * the socket, so memory stays at one chunk whatever the file size.
   */
  private static Future<Void> sendChunks(HttpClientRequest request, List<Long> chunks, ChunkSource source) {
    Future<Void> chain = Future.succeededFuture();
    for (long number : chunks) {
      chain = chain.compose(v -> source.chunk(number)).compose(request::write);
    }
    return chain.compose(v -> request.end());
  }
}
