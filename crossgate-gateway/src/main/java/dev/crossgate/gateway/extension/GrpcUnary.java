package dev.crossgate.gateway.extension;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;

/**
 * The wire rules of one unary gRPC call over HTTP/2 (gRPC's "PROTOCOL-HTTP2" document), as the GRPC
 * extension protocol uses them: the request and the answer are each one length-prefixed message,
 * the outcome is the {@code grpc-status} trailer (or header, in a trailers-only answer). No
 * compression is offered ({@code grpc-encoding} is never sent), so a compressed answer is a
 * protocol error.
 */
final class GrpcUnary {
  /** The method of {@code docs/extension.proto}: {@code /package.Service/Method}. */
  static final String PATH = "/crossgate.extension.v1.Extension/Call";

  static final String CONTENT_TYPE = "application/grpc";
  static final String STATUS = "grpc-status";
  static final String TIMEOUT = "grpc-timeout";

  /** The length prefix: a compressed flag byte and a 4-byte big-endian length. */
  static final int PREFIX = 5;

  /** Status codes by number (grpc's "statuscodes.md"), for the failure's message. */
  private static final String[] CODES = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED"
  };

  private static final int DEADLINE_EXCEEDED = 4;
  private static final int UNAVAILABLE = 14;

  private GrpcUnary() {}

  /** One uncompressed message with its length prefix. */
  static Buffer frame(byte[] message) {
    return Buffer.buffer(PREFIX + message.length)
        .appendByte((byte) 0)
        .appendInt(message.length)
        .appendBytes(message);
  }

  /**
   * A {@code grpc-timeout} value for what is left of the call's time: whole milliseconds rounded
   * up, so the tenant's deadline never passes before the platform's own (at most 8 digits: the
   * longest extension timeout is 60 000 ms).
   */
  static String timeout(long remainingNanos) {
    long millis = Math.max(1, -Math.floorDiv(-remainingNanos, TimeUnit.MILLISECONDS.toNanos(1)));
    return millis + "m";
  }

  /**
   * The one message of an answer's body.
   *
   * @throws ExtensionFailure TOO_LARGE above {@code limit} bytes, BAD_REPLY for a compressed, cut
   *     or missing message or more than one
   */
  static byte[] message(Buffer body, int limit) {
    if (body.length() < PREFIX) {
      throw badReply("the answer has no message");
    }
    if (body.getByte(0) != 0) {
      throw badReply("the answer is compressed, which was not offered");
    }
    long length = body.getUnsignedInt(1);
    if (length > limit) {
      throw new ExtensionFailure(
          ExtensionFailure.Kind.TOO_LARGE, "the answer exceeds " + limit + " bytes");
    }
    if (body.length() != PREFIX + length) {
      throw badReply("the answer is not exactly one message");
    }
    return body.getBytes(PREFIX, body.length());
  }

  /**
   * The failure a non-OK {@code grpc-status} is: DEADLINE_EXCEEDED a timeout, UNAVAILABLE an
   * unreachable tenant, any other a failed call. Its message names the code, never the tenant's
   * {@code grpc-message} (as the HTTP protocols name the status, never the body).
   */
  static ExtensionFailure failure(String status, long timeoutMs) {
    int code;
    try {
      code = Integer.parseInt(status.trim());
    } catch (NumberFormatException e) {
      return badReply("the answer's grpc-status is not a number");
    }
    var name = code >= 0 && code < CODES.length ? CODES[code] : String.valueOf(code);
    return switch (code) {
      case DEADLINE_EXCEEDED ->
          new ExtensionFailure(
              ExtensionFailure.Kind.TIMEOUT,
              "no answer within " + timeoutMs + " ms (grpc-status " + name + ")");
      case UNAVAILABLE ->
          new ExtensionFailure(
              ExtensionFailure.Kind.UNREACHABLE,
              "the tenant's endpoint is unavailable (grpc-status " + name + ")");
      default ->
          new ExtensionFailure(
              ExtensionFailure.Kind.ERROR_STATUS, "the tenant answered grpc-status " + name);
    };
  }

  private static ExtensionFailure badReply(String message) {
    return new ExtensionFailure(ExtensionFailure.Kind.BAD_REPLY, message);
  }
}
