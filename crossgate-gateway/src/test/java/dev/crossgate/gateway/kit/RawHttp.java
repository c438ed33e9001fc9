package dev.crossgate.gateway.kit;

import dev.crossgate.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One request written byte for byte on a plain {@link Socket}, for attacks an HTTP client would
 * normalise away (absolute-form targets, duplicate Host, {@code ..;}, CONNECT), and the one
 * response read back: by Content-Length, chunked, or until the server closes.
 */
public final class RawHttp {
  /** A response as it came off the wire. */
  public record Response(int status, List<String[]> headers, String body) {
    public String header(String name) {
      return headers.stream()
          .filter(h -> h[0].equalsIgnoreCase(name))
          .map(h -> h[1])
          .findFirst()
          .orElse(null);
    }

    public Map<String, Object> json() {
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = Json.mapper().readValue(body, Map.class);
        return map;
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    /** The last segment of the problem's {@code type}. */
    public String problemType() {
      var type = String.valueOf(json().get("type"));
      return type.substring(type.lastIndexOf('/') + 1);
    }
  }

  private RawHttp() {}

  /**
   * Sends a request head ({@code lines} joined with CRLF, a blank line appended) to
   * 127.0.0.1:{@code port}.
   */
  public static Response send(int port, String... lines) {
    return sendWithBody(port, "", lines);
  }

  /** Sends a request head and then {@code body} as is (the head states its framing). */
  public static Response sendWithBody(int port, String body, String... headLines) {
    var text = String.join("\r\n", headLines) + "\r\n\r\n" + body;
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000); // a safety net for a hung server, not a synchronisation
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a request head and returns only the status line of the answer (for upgrades, 1xx). */
  public static String sendHeadOnly(int port, String... lines) {
    var text = String.join("\r\n", lines) + "\r\n\r\n";
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      return line(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Response read(InputStream in) throws IOException {
    var statusLine = line(in);
    if (statusLine == null) {
      throw new AssertionError("the server closed the connection without answering");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    var headers = new ArrayList<String[]>();
    for (var line = line(in); line != null && !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
    }
    var response = new Response(status, headers, "");
    var length = response.header("content-length");
    var body = new ByteArrayOutputStream();
    if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    } else if ("chunked".equalsIgnoreCase(response.header("transfer-encoding"))) {
      for (int size = Integer.parseInt(line(in).trim(), 16);
          size > 0;
          size = Integer.parseInt(line(in).trim(), 16)) {
        body.write(in.readNBytes(size));
        line(in);
      }
    } else if (status >= 200 && status != 204 && status != 304) {
      in.transferTo(body);
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    var out = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        var s = out.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      out.write(c);
    }
    return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
  }
}
