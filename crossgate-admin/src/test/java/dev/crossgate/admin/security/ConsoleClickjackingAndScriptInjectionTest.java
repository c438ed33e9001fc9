package dev.crossgate.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The console keeps an admin token in the browser: a page of another origin must not frame it
 * (clickjacking), and an injected script must not run in it (the CSP allows scripts from the
 * console's own origin only, and the console itself has no inline script that would need more).
 */
class ConsoleClickjackingAndScriptInjectionTest {
  private static final Pattern INLINE_SCRIPT =
      Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
  private static final Pattern INLINE_HANDLER =
      Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);

  private static AdminKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = AdminKit.start("h2");
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/console/",
        "/console/index.html",
        "/console/js/app.js",
        "/console/console.css",
        "/console/no-such-file.js"
      })
  void everyConsoleResponseForbidsFramingInlineScriptsSniffingAndReferrers(String path)
      throws Exception {
    var reply = kit.send("GET", path, null, null, null);

    var csp = reply.header("Content-Security-Policy");
    assertThat(csp)
        .contains("default-src 'self'")
        .contains("frame-ancestors 'none'")
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval");
    assertThat(reply.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(reply.header("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(reply.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @ParameterizedTest
  @ValueSource(strings = {"console/index.html"})
  void theConsolesHtmlHasNoInlineScriptOrHandlerThatThePolicyWouldBlock(String resource)
      throws IOException {
    String html;
    try (var in = getClass().getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(INLINE_SCRIPT.matcher(html).find()).as("inline <script> in " + resource).isFalse();
    assertThat(INLINE_HANDLER.matcher(html).find())
        .as("inline on...= handler in " + resource)
        .isFalse();
    assertThat(html).doesNotContainIgnoringCase("javascript:").doesNotContainIgnoringCase("style=");
  }
}
