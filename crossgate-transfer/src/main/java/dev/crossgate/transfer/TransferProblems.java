package dev.crossgate.transfer;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.store.StoreUnavailable;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The problems the transfer endpoints answer with, and their one renderer (RFC 9457: extension
 * members sit beside the standard ones). Internal causes go to the log only.
 */
final class TransferProblems {
  private static final Logger LOG = LoggerFactory.getLogger(TransferProblems.class);

  private TransferProblems() {}

  static Problem notFound(String id) {
    return Problem.notFound("no transfer " + id);
  }

  static Problem invalid(String field, String message) {
    return Problem.validation(List.of(new FieldError(field, message)));
  }

  static Problem chunkDigestMismatch(long number, String expected, String computed) {
    return Problem.of(
            "chunk-digest-mismatch",
            "Chunk digest mismatch",
            422,
            "chunk " + number + " does not match its Content-Digest; send it again")
        .with("chunk", number)
        .with("declared", expected)
        .with("computed", computed);
  }

  static Problem chunkConflict(long number) {
    return Problem.of(
            "chunk-conflict",
            "Chunk already stored",
            409,
            "chunk " + number + " is already stored with a different digest")
        .with("chunk", number);
  }

  static Problem notOpen(String id, String status) {
    return Problem.of(
            "transfer-not-open",
            "Transfer not open",
            409,
            "transfer " + id + " is " + status + " and accepts no more data")
        .with("transferStatus", status);
  }

  static Problem fileDigestMismatch(String declared, String computed) {
    return Problem.of(
            "file-digest-mismatch",
            "File digest mismatch",
            422,
            "the assembled file does not match the declared digest; the transfer failed")
        .with("declared", declared)
        .with("computed", computed)
        .with("transferStatus", "FAILED");
  }

  static Problem tooLarge(String what, long limit) {
    return Problem.of(
            "payload-too-large",
            "Payload too large",
            413,
            what + " exceeds the limit of " + limit + " bytes")
        .with("limit", limit);
  }

  static Problem quotaExceeded(long quota, long reserved, long requested) {
    return Problem.of(
            "quota-exceeded",
            "Transfer quota exceeded",
            429,
            "the tenant holds "
                + reserved
                + " bytes in unfinished transfers; "
                + requested
                + " more would exceed its quota of "
                + quota)
        .with("quota", quota)
        .with("reserved", reserved)
        .with("requested", requested);
  }

  /** A URL target whose address the egress policy refuses, at submission. */
  static Problem egressRefused(String field) {
    return Problem.egressRefused(field);
  }

  static Problem deliveryFailed(String detail) {
    return Problem.of("delivery-failed", "Delivery failed", 502, detail);
  }

  /**
   * Writes {@code failure} as a problem carrying the chain's request id: a {@link
   * ProblemException}'s own, else a 500 whose cause is logged under that id.
   */
  static void reply(
      HttpServerResponse response, Throwable failure, String requestPath, String requestId) {
    if (response.closed() || failure instanceof io.vertx.core.http.HttpClosedException) {
      LOG.info("event=transfer-connection-closed path={} requestId={}", requestPath, requestId);
      return;
    }
    Problem problem;
    var unavailable = StoreUnavailable.problemFor(failure);
    if (failure instanceof ProblemException pe) {
      problem = pe.problem();
    } else if (unavailable.isPresent()) {
      LOG.warn(
          "event=store-unavailable requestId={} path={} cause={}",
          requestId,
          requestPath,
          failure.toString());
      problem = unavailable.get();
    } else {
      LOG.error("event=transfer-error requestId={} path={}", requestId, requestPath, failure);
      problem = Problem.internal(requestId);
    }
    if (!response.ended()) {
      ProblemResponses.send(response, problem, requestId);
    }
  }
}
