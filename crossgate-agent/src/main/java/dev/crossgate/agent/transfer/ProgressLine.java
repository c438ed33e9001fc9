package dev.crossgate.agent.transfer;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress of a send: on a terminal one line (percent, bytes, rate, ETA) redrawn at most five
 * times a second; elsewhere (pipes, logs, CI) a plain line every {@link #PLAIN_EVERY_NANOS}, when a
 * writer for them is given, or nothing.
 */
final class ProgressLine {
  private static final long REDRAW_NANOS = 200_000_000L;
  static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

  private final PrintWriter out;
  private final boolean terminal;
  private final AtomicLong done = new AtomicLong();
  private volatile long total;
  private volatile long startNanos;
  private volatile long startBytes;
  private volatile long lastDrawNanos;

  private ProgressLine(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Redrawn on the terminal when there is one; silent otherwise. */
  static ProgressLine forConsole() {
    return forOutput(null);
  }

  /** Redrawn on the terminal when there is one; else plain periodic lines to {@code plain}. */
  static ProgressLine forOutput(PrintWriter plain) {
    var console = System.console();
    return console != null
        ? new ProgressLine(console.writer(), true)
        : new ProgressLine(plain, false);
  }

  void start(long totalBytes, long alreadyHeld) {
    total = totalBytes;
    startBytes = Math.min(alreadyHeld, totalBytes);
    done.set(startBytes);
    startNanos = System.nanoTime();
    lastDrawNanos = startNanos;
  }

  void advance(long bytes) {
    long now = done.addAndGet(bytes);
    if (out == null) {
      return;
    }
    long t = System.nanoTime();
    if (t - lastDrawNanos < (terminal ? REDRAW_NANOS : PLAIN_EVERY_NANOS) || now >= total) {
      return; // the final figure is the command's own "sent" line
    }
    lastDrawNanos = t;
    var line = describe(now, total, startBytes, (t - startNanos) / 1e9);
    synchronized (out) {
      if (terminal) {
        out.print("\r" + line + "   ");
      } else {
        out.println("crossgate send: " + line);
      }
      out.flush();
    }
  }

  void finish() {
    if (out != null && terminal) {
      synchronized (out) {
        out.println();
        out.flush();
      }
    }
  }

  /** {@code 42% 420.0 MiB / 1.0 GiB 35.2 MiB/s ETA 0:17}: rate and ETA of this run only. */
  static String describe(long done, long total, long startBytes, double seconds) {
    double rate = (done - startBytes) / Math.max(1e-3, seconds);
    long eta = rate > 0 ? (long) ((total - done) / rate) : -1;
    return String.format(
        "%3d%% %s / %s  %s/s  ETA %s",
        total == 0 ? 100 : done * 100 / total,
        size(done),
        size(total),
        size((long) rate),
        eta < 0 ? "--:--" : String.format("%d:%02d", eta / 60, eta % 60));
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format("%.1f %s", v, units[i]);
  }
}
