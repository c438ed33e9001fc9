package dev.crossgate.store;

import dev.crossgate.retry.Backoff;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's {@link ChangeLog#CHANNEL} so that a control-plane instance learns of
 * changes committed through any other instance within milliseconds. Runs one daemon thread with its
 * own connection (outside the pool, since LISTEN binds to a session); reconnects after a database
 * outage, waiting as {@link Backoff} says between attempts (several control-plane instances losing
 * the database together do not come back together). Polling by revision stays the fallback, so a
 * lost notification only delays.
 */
public final class ChangeNotifications implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeNotifications.class);

  private final String url;
  private final Properties credentials = new Properties();
  private final Runnable onChange;
  private final Backoff backoff;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param onChange called on the listener thread for every notification batch; must be quick
   */
  public ChangeNotifications(String url, String user, String password, Runnable onChange) {
    this(
        url,
        user,
        password,
        onChange,
        Backoff.of(Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ZERO));
  }

  /**
   * @param backoff the waits between reconnection attempts
   */
  public ChangeNotifications(
      String url, String user, String password, Runnable onChange, Backoff backoff) {
    this.url = url;
    if (user != null) {
      credentials.setProperty("user", user);
    }
    if (password != null) {
      credentials.setProperty("password", password);
    }
    this.onChange = onChange;
    this.backoff = backoff;
    this.thread = new Thread(this::listen, "crossgate-change-listener");
    thread.setDaemon(true);
    thread.start();
  }

  private void listen() {
    int failures = 0;
    while (running) {
      try (Connection c = DriverManager.getConnection(url, credentials)) {
        try (var s = c.createStatement()) {
          s.execute("LISTEN " + ChangeLog.CHANNEL);
        }
        failures = 0;
        notifyListener(); // whatever was committed while we were not listening
        var pg = c.unwrap(PGConnection.class);
        while (running) {
          var notifications = pg.getNotifications(1000);
          if (notifications != null && notifications.length > 0) {
            notifyListener();
          }
        }
      } catch (SQLException e) {
        if (!running) {
          return;
        }
        var delay = backoff.delay(failures++);
        LOG.warn(
            "change notifications interrupted error=\"{}\"; retrying in {} ms",
            e.getMessage(),
            delay.toMillis());
        try {
          Thread.sleep(
              delay.toMillis()); // reconnect back-off on this dedicated thread, not a test wait
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void notifyListener() {
    try {
      onChange.run();
    } catch (RuntimeException e) {
      if (running) {
        LOG.warn("change listener failed error=\"{}\"", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
