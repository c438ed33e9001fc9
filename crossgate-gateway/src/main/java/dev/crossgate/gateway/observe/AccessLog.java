package dev.crossgate.gateway.observe;

import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.json.Json;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One line per request on the SLF4J logger {@code crossgate.access}: {@code key=value} (values with
 * spaces or quotes are quoted), or, when configured, a JSON object. A JSON entry is also logged
 * with its fields as SLF4J key/value pairs and {@code requestId}/{@code traceId} in the MDC, so
 * that a JSON log encoder writes the request's fields as the line's own fields.
 *
 * <p>The event loop only copies the request's figures into an {@link Entry}; formatting and the
 * appender's write happen on the node's {@link AccessLogWriter} thread, so a slow log destination
 * never stalls traffic (lines it cannot take are counted and reported, not waited for).
 */
final class AccessLog {
  static final Logger LOG = LoggerFactory.getLogger("crossgate.access");

  private final boolean json;
  private final AccessLogWriter writer;

  AccessLog(boolean json, AccessLogWriter writer) {
    this.json = json;
    this.writer = writer;
  }

  /** Runs on the event loop: captures the line's fields and hands them to the writer. */
  void log(Exchange ex, long durationNanos) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    var request = ex.request();
    var route = ex.route();
    writer.offer(
        new Entry(
            json,
            request.method().name(),
            request.path(),
            ex.status(),
            route == null ? "-" : route.id(),
            ex.upstream() == null ? "-" : ex.upstream(),
            request.bytesRead(),
            request.response().bytesWritten(),
            durationNanos,
            ex.clientIp(),
            ex.requestId(),
            ex.extensionVersion(),
            ex.problem() == null ? null : ex.problem().typeName(),
            ex.responseFailed(),
            ex.trace() == null ? null : ex.trace().traceId()));
  }

  /** Writes one entry; called on the writer thread. */
  static void write(Entry entry) {
    if (!entry.json()) {
      LOG.info(entry.line());
      return;
    }
    MDC.put("requestId", entry.requestId());
    if (entry.traceId() != null) {
      MDC.put("traceId", entry.traceId());
    }
    try {
      var event = LOG.atInfo().setMessage(entry.line());
      for (var field : entry.fields().entrySet()) {
        if (!field.getKey().equals("requestId") && !field.getKey().equals("traceId")) {
          event = event.addKeyValue(field.getKey(), field.getValue());
        }
      }
      event.log();
    } finally {
      MDC.remove("requestId");
      MDC.remove("traceId");
    }
  }

  /** The figures of one access-log line, immutable so another thread may format them. */
  record Entry(
      boolean json,
      String method,
      String path,
      int status,
      String route,
      String upstream,
      long bytesIn,
      long bytesOut,
      long durationNanos,
      String client,
      String requestId,
      String extensionVersion,
      String problem,
      boolean aborted,
      String traceId) {

    /** The line as written; called on the writer thread. */
    String line() {
      if (json) {
        return Json.write(fields());
      }
      var sb = new StringBuilder(200);
      field(sb, "method", method);
      field(sb, "path", path);
      sb.append(" status=").append(status);
      field(sb, "route", route);
      field(sb, "upstream", upstream);
      sb.append(" bytesIn=")
          .append(bytesIn)
          .append(" bytesOut=")
          .append(bytesOut)
          .append(" durationMs=")
          .append(durationNanos / 1_000_000.0);
      field(sb, "client", client);
      field(sb, "requestId", requestId);
      if (traceId != null) {
        field(sb, "traceId", traceId);
      }
      if (extensionVersion != null) {
        field(sb, "extensionVersion", extensionVersion);
      }
      if (problem != null) {
        field(sb, "problem", problem);
      }
      if (aborted) {
        sb.append(" aborted=true");
      }
      return sb.toString();
    }

    /** The fields of a JSON line, in the order written. */
    LinkedHashMap<String, Object> fields() {
      var fields = new LinkedHashMap<String, Object>();
      fields.put("method", method);
      fields.put("path", path);
      fields.put("status", status);
      fields.put("route", route);
      fields.put("upstream", upstream);
      fields.put("bytesIn", bytesIn);
      fields.put("bytesOut", bytesOut);
      fields.put("durationMs", durationNanos / 1_000_000.0);
      fields.put("client", client);
      fields.put("requestId", requestId);
      if (traceId != null) {
        fields.put("traceId", traceId);
      }
      if (extensionVersion != null) {
        fields.put("extensionVersion", extensionVersion);
      }
      if (problem != null) {
        fields.put("problem", problem);
      }
      if (aborted) {
        fields.put("aborted", true);
      }
      return fields;
    }
  }

  /** Appends {@code key=value}, quoting values that are empty or hold a space, quote or '='. */
  private static void field(StringBuilder sb, String key, String text) {
    if (sb.length() > 0) {
      sb.append(' ');
    }
    sb.append(key).append('=');
    var value = String.valueOf(text);
    if (value.isEmpty()
        || value.indexOf(' ') >= 0
        || value.indexOf('"') >= 0
        || value.indexOf('=') >= 0) {
      sb.append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    } else {
      sb.append(value);
    }
  }
}
