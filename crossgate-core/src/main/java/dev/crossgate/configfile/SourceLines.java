package dev.crossgate.configfile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each value of a configuration file starts, so that an error on {@code routes[3].targetUrl}
 * can name its line. Collected by a streaming pass of the same parser that reads the file.
 */
public final class SourceLines {
  public static final SourceLines NONE = new SourceLines(Map.of());

  /** JSON Pointer → 1-based line. */
  private final Map<String, Integer> lines;

  private SourceLines(Map<String, Integer> lines) {
    this.lines = lines;
  }

  static SourceLines of(JsonFactory factory, byte[] content) throws IOException {
    var lines = new HashMap<String, Integer>();
    try (var parser = factory.createParser(content)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        var context = parser.getParsingContext();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          context = context.getParent();
        }
        if (context == null) {
          continue;
        }
        lines.putIfAbsent(
            context.pathAsPointer().toString(), parser.currentTokenLocation().getLineNr());
      }
    }
    return new SourceLines(lines);
  }

  /**
   * The line of {@code field} ({@code routes[3].tls.caPem}), or of its nearest enclosing value when
   * the field itself is absent (a missing required field is reported at its entry); 0 if unknown.
   */
  public int lineOf(String field) {
    var pointer = pointer(field);
    while (true) {
      var line = lines.get(pointer);
      if (line != null) {
        return line;
      }
      int cut = pointer.lastIndexOf('/');
      if (cut < 0 || pointer.isEmpty()) {
        return 0;
      }
      pointer = pointer.substring(0, cut);
    }
  }

  /** {@code routes[3].tls.caPem} → {@code /routes/3/tls/caPem}. */
  static String pointer(String field) {
    var out = new StringBuilder();
    for (var part : field.split("\\.")) {
      int bracket = part.indexOf('[');
      var name = bracket < 0 ? part : part.substring(0, bracket);
      if (!name.isEmpty()) {
        out.append('/').append(name.replace("~", "~0").replace("/", "~1"));
      }
      while (bracket >= 0) {
        int close = part.indexOf(']', bracket);
        if (close < 0) {
          break;
        }
        out.append('/').append(part, bracket + 1, close);
        bracket = part.indexOf('[', close);
      }
    }
    return out.toString();
  }
}
