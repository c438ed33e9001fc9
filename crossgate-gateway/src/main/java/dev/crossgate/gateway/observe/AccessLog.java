package dev.crossgate.gateway.observe;

import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.json.Json;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the SLF4J logger {@code crossgate.access}: {@code key=value} (values
 * with spaces or quotes are quoted), or a JSON object when configured.
 */
final class AccessLog {
  static final Logger LOG = LoggerFactory.getLogger("crossgate.access");

  private final boolean json;

  AccessLog(boolean json) {
    this.json = json;
  }

  void log(Exchange ex, long durationNanos) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    var request = ex.request();
    var route = ex.route();
    var fields = new LinkedHashMap<String, Object>();
    fields.put("method", request.method().name());
    fields.put("path", request.path());
    fields.put("status", ex.status());
    fields.put("route", route == null ? "-" : route.id());
    fields.put("upstream", ex.upstream() == null ? "-" : ex.upstream());
    fields.put("bytesIn", request.bytesRead());
    fields.put("bytesOut", request.response().bytesWritten());
    fields.put("durationMs", durationNanos / 1_000_000.0);
    fields.put("client", ex.clientIp());
    fields.put("requestId", ex.requestId());
    if (ex.extensionVersion() != null) {
      fields.put("extensionVersion", ex.extensionVersion());
    }
    if (ex.problem() != null) {
      fields.put("problem", ex.problem().typeName());
    }
    if (ex.responseFailed()) {
      fields.put("aborted", true);
    }
    LOG.info(json ? Json.write(fields) : keyValues(fields));
  }

  private static String keyValues(LinkedHashMap<String, Object> fields) {
    var sb = new StringBuilder(160);
    for (var e : fields.entrySet()) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(e.getKey()).append('=');
      var v = String.valueOf(e.getValue());
      if (v.isEmpty() || v.indexOf(' ') >= 0 || v.indexOf('"') >= 0 || v.indexOf('=') >= 0) {
        sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      } else {
        sb.append(v);
      }
    }
    return sb.toString();
  }
}
