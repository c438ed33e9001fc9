package dev.crossgate.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's {@link ChangeLog#CHANNEL} so that a control-plane instance learns of
 * changes committed through any other instance within milliseconds. Runs one daemon thread with
 * its own connection (outside the pool, since LISTEN binds to a session); reconnects after a
 * database outage. Polling by revision stays the fallback, so a lost notification only delays.
 */
public final class ChangeNotifications implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeNotifications.class);

  private final String url;
  private final Properties credentials = new Properties();
  private final Runnable onChange;
  private final Thread thread;
  private volatile boolean running = true;

  /** @param onChange called on the listener thread for every notification batch; must be quick */
  public ChangeNotifications(String url, String user, String password, Runnable onChange) {
    this.url = url;
    if (user != null) {
      credentials.setProperty("user", user);
    }
    if (password != null) {
      credentials.setProperty("password", password);
    }
    this.onChange = onChange;
    this.thread = new Thread(this::listen, "crossgate-change-listener");
    thread.setDaemon(true);
    thread.start();
  }

  private void listen() {
    long backoffMs = 250;
    while (running) {
      try (Connection c = DriverManager.getConnection(url, credentials)) {
        try (var s = c.createStatement()) {
          s.execute("LISTEN " + ChangeLog.CHANNEL);
        }
        backoffMs = 250;
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
        LOG.warn("change notifications interrupted error=\"{}\"; retrying in {} ms", e.getMessage(), backoffMs);
        try {
          Thread.sleep(backoffMs); // reconnect back-off on a dedicated thread, not a test wait
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMs = Math.min(backoffMs * 2, 5000);
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
