package dev.crossgate.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AccessLogWriterTest {
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

  @BeforeEach
  void capture() {
    warnings.start();
    ((Logger) LoggerFactory.getLogger(AccessLogWriter.class)).addAppender(warnings);
  }

  @AfterEach
  void release() {
    ((Logger) LoggerFactory.getLogger(AccessLogWriter.class)).detachAppender(warnings);
  }

  private static AccessLog.Entry entry(String requestId) {
    return new AccessLog.Entry(
        false,
        "GET",
        "/a",
        200,
        "r",
        "-",
        0,
        4,
        1_500_000,
        "127.0.0.1",
        requestId,
        null,
        null,
        false,
        null);
  }

  @Test
  void linesAreWrittenInOrderOffTheCallersThread() {
    var lines = new CopyOnWriteArrayList<String>();
    var threads = new CopyOnWriteArrayList<String>();
    try (var writer =
        new AccessLogWriter(
            16,
            entry -> {
              threads.add(Thread.currentThread().getName());
              lines.add(entry.line());
            })) {
      writer.offer(entry("one"));
      writer.offer(entry("two"));

      Awaitility.await().until(() -> lines.size() == 2);
      assertThat(lines.get(0))
          .isEqualTo(
              "method=GET path=/a status=200 route=r upstream=- bytesIn=0 bytesOut=4 "
                  + "durationMs=1.5 client=127.0.0.1 requestId=one");
      assertThat(lines.get(1)).endsWith("requestId=two");
      assertThat(threads).containsOnly("crossgate-access-log");
      assertThat(writer.dropped()).isZero();
    }
  }

  @Test
  void aDestinationThatCannotKeepUpLosesLinesCountedAndReportedNeverSilently() throws Exception {
    var release = new CountDownLatch(1);
    var lines = new CopyOnWriteArrayList<String>();
    try (var writer =
        new AccessLogWriter(
            2,
            entry -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              lines.add(entry.line());
            })) {
      writer.offer(entry("taken"));
      // the writer holds "taken" in the blocked sink; two more fill the queue, then lines drop
      Awaitility.await()
          .until(
              () -> {
                writer.offer(entry("filler"));
                return writer.dropped() > 0;
              });
      long dropped = writer.dropped();

      release.countDown();

      Awaitility.await()
          .until(
              () ->
                  warnings.list.stream()
                      .anyMatch(e -> e.getFormattedMessage().contains("access log lines dropped")));
      assertThat(dropped).isPositive();
      List<String> warned = warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(warned).anyMatch(m -> m.contains("total=" + writer.dropped()));
      assertThat(lines).first().asString().endsWith("requestId=taken");
    }
  }

  @Test
  void valuesWithSpacesQuotesOrEqualsSignsAreQuotedAndEscaped() {
    var entry =
        new AccessLog.Entry(
            false,
            "GET",
            "/a b",
            404,
            "-",
            "-",
            0,
            0,
            0,
            "127.0.0.1",
            "x=\"y\"",
            null,
            "not-found",
            true,
            null);

    assertThat(entry.line())
        .isEqualTo(
            "method=GET path=\"/a b\" status=404 route=- upstream=- bytesIn=0 bytesOut=0 "
                + "durationMs=0.0 client=127.0.0.1 requestId=\"x=\\\"y\\\"\" problem=not-found aborted=true");
  }

  @Test
  void closingWritesWhatIsStillQueued() {
    var lines = new CopyOnWriteArrayList<String>();
    var writer = new AccessLogWriter(1_024, entry -> lines.add(entry.line()));
    for (int i = 0; i < 100; i++) {
      writer.offer(entry("r" + i));
    }

    writer.close();

    assertThat(lines).hasSize(100);
    assertThat(lines.get(99)).endsWith("requestId=r99");
  }
}
