package dev.crossgate.agent.transfer;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line terminal progress display (bytes, rate, ETA), redrawn at most five times a second.
 * Only when a console is attached: in pipes, logs and CI it stays silent.
 */
final class ProgressLine {
  private final PrintWriter out;
  private final AtomicLong done = new AtomicLong();
  private volatile long total;
  private volatile long startNanos;
  private volatile long startBytes;
  private volatile long lastDrawNanos;

  private ProgressLine(PrintWriter out) {
    this.out = out;
  }

  static ProgressLine forConsole() {
    var console = System.console();
    return new ProgressLine(console == null ? null : console.writer());
  }

  void start(long totalBytes, long alreadyHeld) {
    total = totalBytes;
    startBytes = Math.min(alreadyHeld, totalBytes);
    done.set(startBytes);
    startNanos = System.nanoTime();
  }

  void advance(long bytes) {
    long now = done.addAndGet(bytes);
    if (out == null) {
      return;
    }
    long t = System.nanoTime();
    if (t - lastDrawNanos < 200_000_000L && now < total) {
      return;
    }
    lastDrawNanos = t;
    double seconds = Math.max(1e-3, (t - startNanos) / 1e9);
    double rate = (now - startBytes) / seconds;
    long eta = rate > 0 ? (long) ((total - now) / rate) : -1;
    synchronized (out) {
      out.printf(
          "\r%s / %s  %s/s  ETA %s   ",
          size(now),
          size(total),
          size((long) rate),
          eta < 0 ? "--:--" : String.format("%d:%02d", eta / 60, eta % 60));
      out.flush();
    }
  }

  void finish() {
    if (out != null) {
      synchronized (out) {
        out.println();
        out.flush();
      }
    }
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
