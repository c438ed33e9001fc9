package dev.crossgate.agent.transfer;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.id.Ids;
import dev.crossgate.json.Json;
import dev.crossgate.retry.Backoff;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of the native transfer protocol (DESIGN.md "Resumable transfer"): describes the
 * file, keeps the descriptor and chunk digests in its state dir, asks the gateway what it already
 * holds, sends the missing chunks ({@code parallelism} at a time) with RFC 9530 {@code
 * Content-Digest}, resends a chunk the gateway rejects, and sends the end notification with the
 * whole file's {@code Repr-Digest}. The file is read once, in order: the whole-file digest is
 * computed on the way, also over the chunks the gateway already holds (which are not resent).
 *
 * <p>{@link #send} blocks the calling thread; one client sends one file at a time. HTTP goes
 * through a Vert.x client started for the send: chunks are read into direct buffers that are
 * digested and written to the socket without further copies (the JDK client managed about half the
 * rate at twice the CPU, see bench/transfer/RESULTS.md).
 */
public final class TransferClient {
  private static final Logger LOG = LoggerFactory.getLogger(TransferClient.class);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /**
   * 100 ms doubling up to 3 s between attempts; a gateway's Retry-After is honoured up to 5
   * minutes.
   */
  public static final Backoff RETRY =
      Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ofMinutes(5));

  private final TransferClientOptions options;
  private final ChunkListener listener;
  private final ProgressLine progress;
  private final Backoff backoff;
  private final java.nio.file.Path gatewayCa;
  private final AtomicBoolean cancelled = new AtomicBoolean();

  private TransferClient(
      TransferClientOptions options,
      ChunkListener listener,
      ProgressLine progress,
      Backoff backoff,
      java.nio.file.Path gatewayCa) {
    this.options = options;
    this.listener = listener;
    this.progress = progress;
    this.backoff = java.util.Objects.requireNonNull(backoff, "backoff");
    this.gatewayCa = gatewayCa;
  }

  /**
   * A status, a (small) body (the gateway's JSON answer or problem) and its {@code Retry-After}.
   */
  private record Reply(int statusCode, String body, String retryAfter) {}

  public static TransferClient create(TransferClientOptions options) {
    return create(options, ChunkListener.NONE);
  }

  /**
   * This client, verifying an https gateway against the PEM CA certificate(s) in {@code caFile} (a
   * private CA).
   */
  public TransferClient trustingGatewayCa(java.nio.file.Path caFile) {
    return new TransferClient(options, listener, progress, backoff, caFile);
  }

  /**
   * This client, showing its progress on the terminal when there is one, else as a plain line every
   * few seconds on {@code plain}.
   */
  public TransferClient reportingProgressTo(java.io.PrintWriter plain) {
    return new TransferClient(options, listener, ProgressLine.forOutput(plain), backoff, gatewayCa);
  }

  /** A client that tells {@code listener} about each accepted chunk (tests, progress views). */
  public static TransferClient create(TransferClientOptions options, ChunkListener listener) {
    return create(options, listener, RETRY);
  }

  /**
   * A client that waits as {@code backoff} says between attempts (tests pass constant randomness).
   */
  public static TransferClient create(
      TransferClientOptions options, ChunkListener listener, Backoff backoff) {
    return new TransferClient(options, listener, ProgressLine.forConsole(), backoff, null);
  }

  /**
   * Stops the running send as a crash would: no new chunk is started, chunks in flight are not
   * waited for, local state is kept. Any thread.
   */
  public void cancel() {
    cancelled.set(true);
  }

  /**
   * Sends {@code file} to the gateway at {@code gateway} ({@code http://host:port}, or the full
   * {@code …/_transfers} URL), resuming an earlier run for the same file when there is one.
   */
  public TransferResult send(Path file, URI gateway) throws TransferException {
    var base = transfersUrl(gateway);
    var state = SendState.forFile(options.stateDir(), file);
    try {
      long size = Files.size(file);
      long mtime = Files.getLastModifiedTime(file).toMillis();
      var descriptor = state.load();
      SendState.Descriptor superseded = null;
      boolean fresh = false;
      if (descriptor == null
          || descriptor.size() != size
          || descriptor.modifiedMillis() != mtime
          || !descriptor.resumableWith(options)) {
        superseded = descriptor;
        fresh = true;
        descriptor =
            new SendState.Descriptor(
                Ids.random("tx_"),
                file.toAbsolutePath().toString(),
                size,
                mtime,
                options.chunkSize(),
                options.target(),
                options.digest());
      }
      var vertx = Vertx.vertx();
      try {
        var httpOptions = new HttpClientOptions().setConnectTimeout(10_000);
        if (gatewayCa != null) {
          httpOptions.setTrustOptions(
              new io.vertx.core.net.PemTrustOptions().addCertPath(gatewayCa.toString()));
        }
        var http =
            vertx.createHttpClient(
                httpOptions, new PoolOptions().setHttp1MaxSize(options.parallelism() + 1));
        if (superseded != null) {
          LOG.info(
              "event=transfer-restart file={} reason=source-target-or-digest-changed oldTask={}",
              file,
              superseded.taskId());
          // the old transfer can never complete: free its chunks and quota now, not at expiry
          discard(http, URI.create(base + "/" + superseded.taskId()));
        }
        if (fresh) {
          state.save(descriptor);
        }
        return run(http, file, base, state, descriptor);
      } finally {
        closeQuietly(vertx);
      }
    } catch (IOException e) {
      throw new TransferException(
          "cannot read " + file + " or the state dir: " + e.getMessage(), false, e);
    }
  }

  /**
   * Deletes a transfer on the gateway that this client will never finish; the local state is the
   * caller's. Best effort: one that stays behind expires on the gateway.
   */
  private void discard(HttpClient http, URI transferUrl) {
    try {
      var reply =
          call(
              http,
              new RequestOptions()
                  .setMethod(HttpMethod.DELETE)
                  .setAbsoluteURI(transferUrl.toString()),
              null,
              "delete");
      LOG.info("event=transfer-discarded url={} status={}", transferUrl, reply.statusCode());
    } catch (TransferException e) {
      LOG.warn(
          "event=transfer-discard-failed url={} reason=\"{}\" (it expires on the gateway)",
          transferUrl,
          e.getMessage());
    }
  }

  private TransferResult run(
      HttpClient http, Path file, URI base, SendState state, SendState.Descriptor d)
      throws TransferException, IOException {
    long chunkCount = (d.size() + d.chunkSize() - 1) / d.chunkSize();
    var body = new LinkedHashMap<String, Object>();
    body.put("taskId", d.taskId());
    body.put("chunkSize", d.chunkSize());
    body.put("chunkCount", chunkCount);
    body.put("totalSize", d.size());
    body.put("digest", options.digest());
    body.put("name", file.getFileName().toString());
    if (d.target() != null) {
      body.put("target", d.target());
    }
    var created =
        call(
            http,
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(base.toString())
                .putHeader("Content-Type", "application/json"),
            Buffer.buffer(Json.write(body)),
            "create");
    if (created.statusCode() == 409) {
      state.clear();
      throw new TransferException(
          "the gateway refused the descriptor: " + detail(created), false, null);
    }
    requireOk(created, "create");
    var status = Json.mapper().readValue(created.body(), MAP);
    if ("COMPLETED".equals(status.get("status"))) {
      state.clear();
      return new TransferResult(
          d.taskId(), d.size(), 0, 0, chunkCount, null, (String) status.get("delivery"));
    }
    if ("FAILED".equals(status.get("status"))) {
      state.clear();
      throw new TransferException(
          "the gateway failed this transfer earlier: " + status.get("failure"), false, null);
    }
    Set<Long> held = new HashSet<>();
    for (var n : (List<?>) status.getOrDefault("received", List.of())) {
      held.add(((Number) n).longValue());
    }
    var loggedDigests = state.digests();
    var transferUrl = URI.create(base + "/" + d.taskId());
    var sent = new AtomicLong();
    var resent = new AtomicLong();
    progress.start(d.size(), held.size() * (long) d.chunkSize());

    var fileDigest = ChunkDigest.start(options.digest());
    // the only chunk-sized memory of a send, off the heap: one buffer per chunk in flight and one
    // being read
    var buffers =
        new java.util.concurrent.ArrayBlockingQueue<ByteBuffer>(options.parallelism() + 1);
    for (int i = 0; i <= options.parallelism(); i++) {
      buffers.add(ByteBuffer.allocateDirect((int) Math.min(d.chunkSize(), Math.max(1, d.size()))));
    }
    ExecutorService senders = Executors.newFixedThreadPool(options.parallelism(), daemonThreads());
    CompletionService<Long> done = new ExecutorCompletionService<>(senders);
    int inFlight = 0;
    var failures = new ArrayList<Throwable>();
    var changed = new java.util.concurrent.atomic.AtomicReference<TransferException>();
    try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
      for (long n = 0; n < chunkCount && failures.isEmpty(); n++) {
        if (cancelled.get()) {
          throw new TransferException("cancelled", true, null);
        }
        long offset = n * d.chunkSize();
        int length = (int) Math.min(d.chunkSize(), d.size() - offset);
        var bytes = take(buffers);
        bytes.clear().limit(length);
        readFully(channel, bytes, offset);
        bytes.flip();
        fileDigest.update(bytes);
        var logged = loggedDigests.get(n);
        if (held.contains(n)) {
          var same = logged == null || logged.equals(ChunkDigest.of(options.digest(), bytes));
          buffers.add(bytes);
          if (!same) {
            failures.add(sourceChanged(state, n, changed));
            break;
          }
          continue;
        }
        while (inFlight >= options.parallelism()) {
          inFlight--;
          collect(done, failures);
        }
        long number = n;
        done.submit(
            () -> {
              try {
                // digesting here, on the sender threads, keeps the reading thread to one digest
                // pass
                var digest = ChunkDigest.of(options.digest(), bytes);
                if (logged == null) {
                  state.logDigest(number, digest);
                } else if (!logged.equals(digest)) {
                  throw sourceChanged(state, number, changed);
                }
                return putChunk(http, transferUrl, number, bytes, digest, sent, resent);
              } finally {
                buffers.add(bytes);
              }
            });
        inFlight++;
      }
      while (inFlight > 0 && !cancelled.get()) {
        inFlight--;
        collect(done, failures);
      }
    } finally {
      senders.shutdownNow();
      progress.finish();
    }
    if (cancelled.get()) {
      throw new TransferException("cancelled", true, null);
    }
    if (changed.get() != null) {
      discard(http, transferUrl);
      throw changed.get();
    }
    if (!failures.isEmpty()) {
      var first = failures.get(0);
      throw first instanceof TransferException te
          ? te
          : new TransferException("sending chunks failed: " + first.getMessage(), true, first);
    }
    var fileDigestField = fileDigest.finish();
    var completed = complete(http, transferUrl, fileDigestField);
    if (completed.statusCode() == 422) {
      state.clear();
      throw new TransferException(
          "the gateway failed the transfer: " + detail(completed), false, null);
    }
    requireOk(completed, "complete");
    var result = Json.mapper().readValue(completed.body(), MAP);
    state.clear();
    LOG.info(
        "event=transfer-sent task={} size={} sent={} resent={} skipped={}",
        d.taskId(),
        d.size(),
        sent.get(),
        resent.get(),
        held.size());
    return new TransferResult(
        d.taskId(),
        d.size(),
        sent.get(),
        resent.get(),
        held.size(),
        fileDigestField,
        (String) result.get("delivery"));
  }

  /**
   * The end notification. When an earlier one (whose answer was lost) is still being verified and
   * delivered, the gateway answers 409 with status COMPLETING: wait and ask again, and the gateway
   * answers the completed transfer (or lets this one complete it, when delivery failed).
   */
  private Reply complete(HttpClient http, URI transferUrl, String fileDigestField)
      throws TransferException {
    for (int attempt = 1; ; attempt++) {
      var response =
          call(
              http,
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setAbsoluteURI(transferUrl + "/complete")
                  .putHeader("Repr-Digest", fileDigestField),
              null,
              "complete");
      if (response.statusCode() != 409
          || !response.body().contains("\"transferStatus\":\"COMPLETING\"")
          || attempt >= options.maxAttempts()) {
        return response;
      }
      pause(attempt, response);
    }
  }

  /**
   * The failure of a send whose source changed under it, kept in {@code changed} (the first one
   * wins) so that the transfer is discarded once the chunks in flight are done.
   */
  private static TransferException sourceChanged(
      SendState state,
      long number,
      java.util.concurrent.atomic.AtomicReference<TransferException> changed)
      throws IOException {
    state.clear();
    changed.compareAndSet(
        null,
        new TransferException(
            "the source file changed since the transfer began (chunk " + number + ")",
            false,
            null));
    return changed.get();
  }

  private static ByteBuffer take(java.util.concurrent.BlockingQueue<ByteBuffer> buffers)
      throws TransferException {
    try {
      return buffers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransferException("interrupted", true, e);
    }
  }

  private void collect(CompletionService<Long> done, List<Throwable> failures)
      throws TransferException {
    try {
      done.take().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransferException("interrupted", true, e);
    } catch (ExecutionException e) {
      failures.add(e.getCause());
    }
  }

  /**
   * Sends one chunk until the gateway accepts it; resends at once after a 422 (corrupted in
   * transit).
   */
  private Long putChunk(
      HttpClient http,
      URI transferUrl,
      long number,
      ByteBuffer bytes,
      String digest,
      AtomicLong sent,
      AtomicLong resent)
      throws TransferException {
    int length = bytes.remaining();
    var attempts = new AtomicInteger();
    while (true) {
      if (cancelled.get()) {
        throw new TransferException("cancelled", true, null);
      }
      if (attempts.getAndIncrement() > 0) {
        resent.incrementAndGet();
      }
      sent.incrementAndGet();
      Reply response;
      try {
        // the direct buffer is written to the socket as it is: no copy on the way out
        response =
            exchange(
                http,
                new RequestOptions()
                    .setMethod(HttpMethod.PUT)
                    .setAbsoluteURI(transferUrl + "/chunks/" + number)
                    .putHeader("Content-Digest", digest),
                BufferInternal.buffer(Unpooled.wrappedBuffer(bytes.duplicate())));
      } catch (IOException e) {
        if (attempts.get() >= options.maxAttempts()) {
          throw new TransferException(
              "chunk " + number + " failed " + attempts.get() + " times: " + e.getMessage(),
              true,
              e);
        }
        pause(attempts.get(), null);
        continue;
      }
      int code = response.statusCode();
      if (code == 200) {
        listener.accepted(number, length);
        progress.advance(length);
        return number;
      }
      boolean retry = code == 422 || code == 429 || code >= 500;
      if (!retry || attempts.get() >= options.maxAttempts()) {
        throw new TransferException(
            "chunk " + number + " rejected: " + code + " " + detail(response), code >= 500, null);
      }
      LOG.info("event=chunk-resend task-url={} chunk={} status={}", transferUrl, number, code);
      if (code != 422) {
        pause(attempts.get(), response);
      }
    }
  }

  /** One control request (create, complete), retried on network errors, 503 and 504. */
  private Reply call(HttpClient http, RequestOptions request, Buffer body, String what)
      throws TransferException {
    for (int attempt = 1; ; attempt++) {
      if (cancelled.get()) {
        throw new TransferException("cancelled", true, null);
      }
      try {
        var response = exchange(http, request, body);
        if ((response.statusCode() == 503 || response.statusCode() == 504)
            && attempt < options.maxAttempts()) {
          pause(attempt, response);
          continue;
        }
        return response;
      } catch (IOException e) {
        if (attempt >= options.maxAttempts()) {
          throw new TransferException(
              what + " failed " + attempt + " times: " + e.getMessage(), true, e);
        }
        pause(attempt, null);
      }
    }
  }

  /**
   * One request and its answer, waited for on the calling thread. Any failure to get an answer
   * (refused, reset, timed out) is an {@link IOException}: the caller decides whether to try again.
   */
  private Reply exchange(HttpClient http, RequestOptions request, Buffer body)
      throws IOException, TransferException {
    long timeout = options.requestTimeout().toMillis();
    request.putHeader(CrossgateHeaders.API_KEY, options.apiKey()).setIdleTimeout(timeout);
    var answer =
        http.request(request)
            .compose(r -> body == null ? r.send() : r.send(body))
            .compose(
                r ->
                    r.body()
                        .map(
                            b ->
                                new Reply(
                                    r.statusCode(), b.toString(), r.getHeader("Retry-After"))));
    try {
      return answer.toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransferException("interrupted", true, e);
    } catch (java.util.concurrent.ExecutionException e) {
      var cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new IOException("no answer within " + options.requestTimeout(), e);
    }
  }

  private static void requireOk(Reply response, String what) throws TransferException {
    if (response.statusCode() / 100 != 2) {
      throw new TransferException(
          what + " answered " + response.statusCode() + ": " + detail(response),
          response.statusCode() >= 500,
          null);
    }
  }

  private static String detail(Reply response) {
    try {
      var problem = Json.mapper().readValue(response.body(), MAP);
      var detail = problem.get("detail");
      return detail != null ? detail.toString() : response.body();
    } catch (IOException | RuntimeException e) {
      return response.body();
    }
  }

  /**
   * Waits before the next attempt, on the calling thread ({@link #send} blocks by design): as long
   * as a 429 or 503 asked with {@code Retry-After}, else the back-off's jittered delay.
   *
   * @param attempts attempts made so far (1 after the first)
   * @param reply the failed attempt's answer, null when there was none
   */
  private void pause(int attempts, Reply reply) throws TransferException {
    var asked =
        reply == null
            ? null
            : Backoff.retryAfter(reply.statusCode(), reply.retryAfter(), Instant.now());
    try {
      Thread.sleep(backoff.delay(attempts - 1, asked).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransferException("interrupted", true, e);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position)
      throws IOException {
    while (into.hasRemaining()) {
      int n = channel.read(into, position + into.position());
      if (n < 0) {
        throw new IOException("the file ended early: it changed while it was read");
      }
    }
  }

  static URI transfersUrl(URI gateway) {
    var s = gateway.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s.endsWith("/_transfers") ? s : s + "/_transfers");
  }

  private static void closeQuietly(Vertx vertx) {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      LOG.debug("event=client-close-failed", e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    var counter = new AtomicInteger();
    return r -> {
      var t = new Thread(r, "crossgate-send-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
