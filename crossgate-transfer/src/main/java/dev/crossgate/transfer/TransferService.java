package dev.crossgate.transfer;

import dev.crossgate.digest.DigestAlgorithm;
import dev.crossgate.digest.DigestField;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.transfer.ChunkRecord;
import dev.crossgate.store.transfer.ChunkStore;
import dev.crossgate.store.transfer.TransferKey;
import dev.crossgate.store.transfer.TransferRecord;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.store.transfer.TransferRepository.ChunkWrite;
import dev.crossgate.store.transfer.TransferStatus;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transfer store both protocols share: index rows through {@link TransferRepository}, bytes
 * through a {@link ChunkStore}. Every method blocks (JDBC, disk, digests) and runs on the {@code
 * crossgate-transfer} worker pool; errors are {@link ProblemException}s.
 */
final class TransferService {
  static final String NATIVE = "native";
  static final String TUS = "tus";
  private static final Logger LOG = LoggerFactory.getLogger(TransferService.class);

  private final TransferRepository repository;
  private final ChunkStore chunks;
  private final TransferOptions settings;
  private final RunningDigests runningDigests = new RunningDigests();

  /**
   * Serialises writers of one chunk in this JVM, so a file on disk always matches its index row.
   */
  private final ConcurrentHashMap<String, Object> chunkLocks = new ConcurrentHashMap<>();

  TransferService(TransferRepository repository, ChunkStore chunks, TransferOptions settings) {
    this.repository = repository;
    this.chunks = chunks;
    this.settings = settings;
  }

  TransferOptions settings() {
    return settings;
  }

  record Created(TransferView view, boolean created) {}

  /** Creates a native transfer, or returns the existing one when the descriptor is the same. */
  Created create(String owner, CreateTransferRequest request) {
    var errors = new ArrayList<FieldError>();
    String taskId = request.taskId();
    try {
      TransferIds.require("taskId", taskId);
    } catch (ProblemException e) {
      errors.addAll(e.problem().errors());
    }
    var chunkSize = request.chunkSize();
    var chunkCount = request.chunkCount();
    var totalSize = request.totalSize();
    requirePositiveOrZero(errors, "totalSize", totalSize, false);
    requirePositiveOrZero(errors, "chunkSize", chunkSize, true);
    requirePositiveOrZero(errors, "chunkCount", chunkCount, false);
    var algorithm =
        request.digest() == null
            ? Optional.<DigestAlgorithm>empty()
            : DigestAlgorithm.byFieldName(request.digest());
    if (request.digest() == null) {
      errors.add(new FieldError("digest", "is required: sha-256 or crc32c"));
    } else if (algorithm.isEmpty()) {
      errors.add(
          new FieldError(
              "digest", "unsupported algorithm " + request.digest() + "; use sha-256 or crc32c"));
    }
    String fileDigest = null;
    if (request.fileDigest() != null) {
      try {
        fileDigest =
            DigestField.parse("fileDigest", request.fileDigest(), DigestAlgorithm.SHA_256)
                .toString();
      } catch (ProblemException e) {
        errors.add(new FieldError("fileDigest", e.problem().detail()));
      }
    }
    var target = request.target();
    var targetProblem = target == null ? null : TransferTarget.problem(target);
    if (targetProblem != null) {
      errors.add(new FieldError("target", targetProblem));
    }
    if (request.name() != null && request.name().length() > 255) {
      errors.add(new FieldError("name", "must be at most 255 characters"));
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    if (totalSize > settings.maxTransferSize()) {
      throw new ProblemException(
          TransferProblems.tooLarge("totalSize " + totalSize, settings.maxTransferSize()));
    }
    if (chunkSize > settings.maxChunkSize()) {
      throw new ProblemException(
          TransferProblems.tooLarge("chunkSize " + chunkSize, settings.maxChunkSize()));
    }
    long expectedCount = (totalSize + chunkSize - 1) / chunkSize;
    if (chunkCount != expectedCount) {
      throw new ProblemException(
          TransferProblems.invalid(
              "chunkCount",
              "must be "
                  + expectedCount
                  + " for totalSize "
                  + totalSize
                  + " in chunks of "
                  + chunkSize));
    }
    var existing = repository.find(owner, taskId);
    if (existing.isPresent()) {
      var t = existing.get();
      boolean same =
          NATIVE.equals(t.protocol())
              && t.chunkSize() == chunkSize
              && t.chunkCount() == chunkCount
              && Objects.equals(t.totalSize(), totalSize)
              && t.chunkDigest().equals(algorithm.get().fieldName())
              // declaring no digest contradicts none, also not the one computed at completion
              && (fileDigest == null || fileDigest.equals(t.fileDigest()))
              && Objects.equals(t.target(), target);
      if (!same) {
        throw new ProblemException(
            Problem.conflict(
                "transfer "
                    + taskId
                    + " exists with a different descriptor; choose another taskId or delete it"));
      }
      return new Created(view(t), false);
    }
    reserve(owner, totalSize);
    var now = settings.clock().instant();
    var record =
        new TransferRecord(
            owner,
            taskId,
            NATIVE,
            chunkSize,
            chunkCount,
            totalSize,
            algorithm.get().fieldName(),
            fileDigest,
            request.name(),
            target,
            null,
            TransferStatus.OPEN,
            null,
            null,
            0,
            0,
            0,
            0,
            now,
            now,
            expiry(now));
    if (!repository.insert(record)) {
      return new Created(view(require(owner, taskId)), false);
    }
    LOG.info(
        "event=transfer-created owner={} id={} protocol=native size={} chunks={}",
        owner,
        taskId,
        totalSize,
        chunkCount);
    return new Created(view(record), true);
  }

  /** Creates a tus upload (length known, or deferred when null). */
  TransferRecord createTus(
      String owner, String id, Long totalSize, String name, String target, String metadata) {
    var targetProblem = target == null ? null : TransferTarget.problem(target);
    if (targetProblem != null) {
      throw new ProblemException(TransferProblems.invalid("Upload-Metadata target", targetProblem));
    }
    if (totalSize != null) {
      if (totalSize > settings.maxTransferSize()) {
        throw new ProblemException(
            TransferProblems.tooLarge("Upload-Length " + totalSize, settings.maxTransferSize()));
      }
      reserve(owner, totalSize);
    }
    var now = settings.clock().instant();
    var record =
        new TransferRecord(
            owner,
            id,
            TUS,
            settings.maxChunkSize(),
            0,
            totalSize,
            DigestAlgorithm.SHA_256.fieldName(),
            null,
            name,
            target,
            metadata,
            TransferStatus.OPEN,
            null,
            null,
            0,
            0,
            0,
            0,
            now,
            now,
            expiry(now));
    if (!repository.insert(record)) {
      throw new ProblemException(Problem.conflict("an upload with id " + id + " already exists"));
    }
    LOG.info("event=transfer-created owner={} id={} protocol=tus size={}", owner, id, totalSize);
    return record;
  }

  TransferRecord require(String owner, String id) {
    return repository
        .find(owner, id)
        .orElseThrow(() -> new ProblemException(TransferProblems.notFound(id)));
  }

  TransferView view(TransferRecord t) {
    return TransferView.of(t, repository.chunks(t.owner(), t.id()));
  }

  TransferView status(String owner, String id) {
    return view(require(owner, id));
  }

  /** What a chunk PUT must carry, decided before its body is read. */
  record ChunkPlan(
      TransferRecord transfer, long number, long offset, long size, boolean alreadyStored) {}

  /**
   * Checks a chunk PUT before its body is read: the transfer is open, the number in range, the
   * length right, and — for a chunk already stored — whether the digest is the same (200, nothing
   * to do) or different (409).
   */
  ChunkPlan planChunk(
      String owner, String id, long number, Long contentLength, DigestField digest) {
    var t = require(owner, id);
    if (!NATIVE.equals(t.protocol())) {
      throw new ProblemException(
          Problem.conflict("transfer " + id + " is a tus upload; use PATCH /_tus/" + id));
    }
    if (t.status() != TransferStatus.OPEN) {
      throw new ProblemException(TransferProblems.notOpen(id, t.status().name()));
    }
    if (number >= t.chunkCount()) {
      throw new ProblemException(
          TransferProblems.invalid(
              "chunk",
              "chunk "
                  + number
                  + " is out of range: the transfer has chunks 0 to "
                  + (t.chunkCount() - 1)));
    }
    long offset = number * t.chunkSize();
    long size = Math.min(t.chunkSize(), t.totalSize() - offset);
    if (contentLength != null && contentLength != size) {
      throw new ProblemException(
          TransferProblems.invalid(
              "Content-Length",
              "chunk " + number + " must be " + size + " bytes, got " + contentLength));
    }
    var stored = repository.chunk(owner, id, number);
    if (stored.isPresent()) {
      if (!sameDigest(stored.get().digest(), digest)) {
        throw new ProblemException(TransferProblems.chunkConflict(number));
      }
      return new ChunkPlan(t, number, offset, size, true);
    }
    return new ChunkPlan(t, number, offset, size, false);
  }

  /** Result of a chunk PUT: whether it changed anything, and the transfer afterwards. */
  /** A chunk's outcome: whether this request stored it, and the transfer after it. */
  record ChunkStored(boolean stored, TransferRecord transfer) {}

  /** Verifies and stores a native chunk whose body (digested on arrival) is in {@code body}. */
  ChunkStored storeChunk(ChunkPlan plan, BodyReader.ReceivedBody body, DigestField digest) {
    var t = plan.transfer();
    if (body.length() != plan.size()) {
      throw new ProblemException(
          TransferProblems.invalid(
              "body",
              "chunk "
                  + plan.number()
                  + " must be "
                  + plan.size()
                  + " bytes, got "
                  + body.length()));
    }
    var computed = body.digest();
    var data = body.nio();
    if (!digest.matches(computed)) {
      throw new ProblemException(
          TransferProblems.chunkDigestMismatch(
              plan.number(), digest.toString(), DigestField.format(digest.algorithm(), computed)));
    }
    var chunk = new ChunkRecord(plan.number(), plan.offset(), plan.size(), digest.toString());
    var write = writeChunk(t, chunk, data, null);
    switch (write) {
      case STORED -> feedRunningDigest(t, chunk.number(), body.data());
      case DUPLICATE -> {
        var existing = repository.chunk(t.owner(), t.id(), plan.number()).orElseThrow();
        if (!sameDigest(existing.digest(), digest)) {
          throw new ProblemException(TransferProblems.chunkConflict(plan.number()));
        }
      }
      case REJECTED ->
          throw new ProblemException(
              TransferProblems.notOpen(t.id(), require(t.owner(), t.id()).status().name()));
      default -> throw new IllegalStateException(write.name());
    }
    return new ChunkStored(write == ChunkWrite.STORED, require(t.owner(), t.id()));
  }

  /**
   * Appends a tus segment at {@code offset} as chunk {@code number}. The index only accepts it if
   * the upload still holds exactly {@code offset} bytes (a concurrent PATCH loses with 409).
   */
  TransferRecord appendTus(TransferRecord t, long number, long offset, Buffer data) {
    var chunk =
        new ChunkRecord(
            number,
            offset,
            data.length(),
            DigestField.format(
                DigestAlgorithm.SHA_256, DigestAlgorithm.SHA_256.digest(Buffers.nio(data))));
    var write = writeChunk(t, chunk, Buffers.nio(data), offset);
    if (write != ChunkWrite.STORED) {
      throw new ProblemException(
          Problem.conflict("Upload-Offset " + offset + " is no longer the upload's offset"));
    }
    feedRunningDigest(
        t, number, ((io.vertx.core.internal.buffer.BufferInternal) data).getByteBuf());
    return require(t.owner(), t.id());
  }

  void declareLength(TransferRecord t, long totalSize) {
    if (totalSize > settings.maxTransferSize()) {
      throw new ProblemException(
          TransferProblems.tooLarge("Upload-Length " + totalSize, settings.maxTransferSize()));
    }
    if (totalSize < t.receivedBytes()) {
      throw new ProblemException(
          Problem.badRequest("Upload-Length is smaller than the bytes already received"));
    }
    reserve(t.owner(), totalSize - t.receivedBytes());
    if (!repository.declareLength(t.owner(), t.id(), totalSize)) {
      throw new ProblemException(Problem.conflict("Upload-Length is already set"));
    }
  }

  /** The quota check for data that is about to arrive outside a declared size (deferred tus). */
  void reserveMore(String owner, long bytes) {
    reserve(owner, bytes);
  }

  private ChunkWrite writeChunk(
      TransferRecord t, ChunkRecord chunk, ByteBuffer data, Long expectedReceived) {
    var lockKey = t.owner() + '\u0000' + t.id() + '\u0000' + chunk.number();
    var lock = chunkLocks.computeIfAbsent(lockKey, k -> new Object());
    try {
      synchronized (lock) {
        var existing = repository.chunk(t.owner(), t.id(), chunk.number());
        if (existing.isPresent()) {
          return ChunkWrite.DUPLICATE;
        }
        chunks.write(t.owner(), t.id(), chunk.number(), data);
        var now = settings.clock().instant();
        var write =
            repository.addChunk(t.owner(), t.id(), chunk, expectedReceived, now, expiry(now));
        if (write == ChunkWrite.REJECTED) {
          chunks.delete(t.owner(), t.id(), chunk.number());
        }
        return write;
      }
    } finally {
      chunkLocks.remove(lockKey, lock);
    }
  }

  private void feedRunningDigest(TransferRecord t, long number, io.netty.buffer.ByteBuf data) {
    runningDigests.offer(
        new TransferKey(t.owner(), t.id()),
        fileDigestAlgorithm(t),
        number,
        data,
        (n, running) ->
            repository.chunk(t.owner(), t.id(), n).isPresent()
                && chunks.read(t.owner(), t.id(), n, running::update));
  }

  /**
   * The algorithm of the running whole-file digest: the declared file digest's, else the chunk
   * digests' (a client that sends crc32c chunks will most likely send a crc32c Repr-Digest).
   */
  private static DigestAlgorithm fileDigestAlgorithm(TransferRecord t) {
    if (t.fileDigest() != null) {
      return DigestField.stored(t.fileDigest()).algorithm();
    }
    return DigestAlgorithm.byFieldName(t.chunkDigest()).orElse(DigestAlgorithm.SHA_256);
  }

  /** A transfer that passed verification at the end notification, ready to be delivered. */
  record Verified(TransferRecord transfer, List<Long> chunkNumbers, long size, String fileDigest) {}

  /**
   * The transfer's view when it is already COMPLETED (so a repeated end notification is
   * idempotent).
   */
  java.util.Optional<TransferView> completed(String owner, String id) {
    var t = require(owner, id);
    return t.status() == TransferStatus.COMPLETED
        ? java.util.Optional.of(view(t))
        : java.util.Optional.empty();
  }

  /**
   * The first half of the end notification: takes the transfer (OPEN → COMPLETING), checks that
   * every chunk is there and that the whole file matches the declared digest (from the running
   * digest when it covers the file, else by reading the chunks again). A mismatch fails the
   * transfer for good and releases its data.
   *
   * @param declaredAtEnd a {@code Repr-Digest} sent with the end notification, or null
   */
  Verified beginCompletion(String owner, String id, DigestField declaredAtEnd) {
    var t = require(owner, id);
    if (t.status() != TransferStatus.OPEN) {
      throw new ProblemException(TransferProblems.notOpen(id, t.status().name()));
    }
    var stored = repository.chunks(owner, id);
    long size = stored.stream().mapToLong(ChunkRecord::size).sum();
    if (NATIVE.equals(t.protocol()) && stored.size() != t.chunkCount()) {
      var view = TransferView.of(t, stored);
      throw new ProblemException(
          Problem.conflict(
                  "transfer " + id + " has " + stored.size() + " of " + t.chunkCount() + " chunks")
              .with(
                  "missing",
                  view.missing().size() > 100 ? view.missing().subList(0, 100) : view.missing())
              .with("lowestMissing", view.lowestMissing()));
    }
    if (t.totalSize() == null || size != t.totalSize()) {
      throw new ProblemException(
          Problem.conflict(
              "transfer "
                  + id
                  + " holds "
                  + size
                  + " of "
                  + (t.totalSize() == null ? "an undeclared number of" : t.totalSize())
                  + " bytes"));
    }
    var now = settings.clock().instant();
    if (!repository.changeStatus(
        owner, id, TransferStatus.OPEN, TransferStatus.COMPLETING, null, null, now, expiry(now))) {
      throw new ProblemException(TransferProblems.notOpen(id, require(owner, id).status().name()));
    }
    var numbers = stored.stream().map(ChunkRecord::number).toList();
    var declared =
        declaredAtEnd != null
            ? declaredAtEnd
            : t.fileDigest() != null ? DigestField.stored(t.fileDigest()) : null;
    var algorithm = declared != null ? declared.algorithm() : fileDigestAlgorithm(t);
    var key = new TransferKey(owner, id);
    byte[] computed = runningDigests.result(key, algorithm, stored.size()).orElse(null);
    if (computed == null && declared != null) {
      LOG.info("event=transfer-digest-reread owner={} id={} chunks={}", owner, id, stored.size());
      computed = readDigest(owner, id, algorithm, numbers);
    }
    var computedField = computed == null ? null : DigestField.format(algorithm, computed);
    if (declared != null && !declared.matches(computed)) {
      var reason = "file digest mismatch: declared " + declared + ", computed " + computedField;
      fail(t, reason);
      throw new ProblemException(
          TransferProblems.fileDigestMismatch(declared.toString(), computedField));
    }
    return new Verified(t, numbers, size, computedField);
  }

  /** The second half: records the delivery outcome; success releases the chunks. */
  TransferView finishCompletion(Verified verified, DeliveryResult delivery) {
    var t = verified.transfer();
    var now = settings.clock().instant();
    if (delivery.delivered()) {
      if (verified.fileDigest() != null && !verified.fileDigest().equals(t.fileDigest())) {
        repository.recordFileDigest(t.owner(), t.id(), verified.fileDigest());
      }
      repository.changeStatus(
          t.owner(),
          t.id(),
          TransferStatus.COMPLETING,
          TransferStatus.COMPLETED,
          null,
          delivery.summary(),
          now,
          expiry(now));
      if (t.target() != null) {
        repository.deleteChunks(t.owner(), t.id());
        chunks.deleteAll(t.owner(), t.id());
      }
      LOG.info(
          "event=transfer-completed owner={} id={} size={} delivery=\"{}\"",
          t.owner(),
          t.id(),
          verified.size(),
          delivery.summary());
      return view(require(t.owner(), t.id()));
    }
    repository.changeStatus(
        t.owner(),
        t.id(),
        TransferStatus.COMPLETING,
        TransferStatus.OPEN,
        null,
        delivery.summary(),
        now,
        expiry(now));
    LOG.warn(
        "event=transfer-delivery-failed owner={} id={} delivery=\"{}\"",
        t.owner(),
        t.id(),
        delivery.summary());
    throw new ProblemException(
        TransferProblems.deliveryFailed(
                "the file was verified but delivery to its target failed ("
                    + delivery.summary()
                    + "); send the end notification again to retry")
            .with("delivery", delivery.summary()));
  }

  private void fail(TransferRecord t, String reason) {
    var now = settings.clock().instant();
    repository.changeStatus(
        t.owner(),
        t.id(),
        TransferStatus.COMPLETING,
        TransferStatus.FAILED,
        reason,
        null,
        now,
        expiry(now));
    repository.deleteChunks(t.owner(), t.id());
    chunks.deleteAll(t.owner(), t.id());
    runningDigests.forget(new TransferKey(t.owner(), t.id()));
    LOG.warn("event=transfer-failed owner={} id={} reason=\"{}\"", t.owner(), t.id(), reason);
  }

  /** Aborts a transfer: rows and files are gone. */
  void delete(String owner, String id) {
    require(owner, id);
    remove(new TransferKey(owner, id));
    LOG.info("event=transfer-deleted owner={} id={}", owner, id);
  }

  /** Removes every transfer whose sliding expiry has passed; returns how many. */
  int sweepExpired() {
    int removed = 0;
    List<TransferKey> batch;
    do {
      batch = repository.expired(settings.clock().instant(), 100);
      for (var key : batch) {
        remove(key);
        removed++;
      }
    } while (batch.size() == 100);
    if (removed > 0) {
      LOG.info("event=transfers-expired count={}", removed);
    }
    return removed;
  }

  private void remove(TransferKey key) {
    chunks.deleteAll(key.owner(), key.id());
    repository.delete(key.owner(), key.id());
    // once more: a chunk written while the row was being deleted finds no row and must not stay
    chunks.deleteAll(key.owner(), key.id());
    runningDigests.forget(key);
  }

  Instant expiry(Instant now) {
    return now.plus(settings.ttl());
  }

  private void reserve(String owner, long bytes) {
    long reserved = repository.reservedBytes(owner);
    if (reserved + bytes > settings.tenantQuota()) {
      throw new ProblemException(
          TransferProblems.quotaExceeded(settings.tenantQuota(), reserved, bytes));
    }
  }

  private byte[] readDigest(
      String owner, String id, DigestAlgorithm algorithm, List<Long> numbers) {
    var running = algorithm.start();
    for (long n : numbers) {
      readStored(owner, id, n, running::update);
    }
    return running.finish();
  }

  /**
   * Chunk {@code number} of a verified transfer, whole (delivery: one chunk in memory at a time).
   */
  io.vertx.core.buffer.Buffer readChunk(TransferRecord t, long number) {
    var whole = io.netty.buffer.Unpooled.buffer();
    readStored(t.owner(), t.id(), number, whole::writeBytes);
    return io.vertx.core.internal.buffer.BufferInternal.buffer(whole);
  }

  private void readStored(
      String owner, String id, long number, java.util.function.Consumer<ByteBuffer> sink) {
    if (!chunks.read(owner, id, number, sink)) {
      throw new IllegalStateException(
          "chunk " + number + " of " + id + " is indexed but not stored");
    }
  }

  private static boolean sameDigest(String stored, DigestField offered) {
    var storedField = DigestField.stored(stored);
    return storedField.equals(offered);
  }

  private static void requirePositiveOrZero(
      List<FieldError> errors, String field, Long value, boolean positive) {
    if (value == null) {
      errors.add(new FieldError(field, "is required"));
    } else if (value < 0 || (positive && value == 0)) {
      errors.add(new FieldError(field, positive ? "must be positive" : "must not be negative"));
    }
  }
}
