package dev.crossgate.transfer;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A misbehaving TCP proxy in front of the gateway. Armed once, it either drops the connection after
 * a number of client-to-server bytes (a network cut mid-chunk) or flips one byte at a position
 * (corruption in transit), then behaves again.
 */
final class CuttingProxy implements AutoCloseable {
  private final Vertx vertx;
  private final NetServer server;

  /**
   * The one client all upstream connections are opened with, held for the proxy's lifetime. A
   * client nobody references is shut down by Vert.x's cleaner once it is garbage collected; in
   * Vert.x 5.2 that shutdown closes its sockets at once, where 5.0.8 let a NetSocket live out the
   * 30 s grace period. A client per relayed connection, dropped after connect, thus cut live
   * keep-alive connections whenever a GC ran: a failure the kit injected by itself, unarmed.
   */
  private final NetClient upstreamClient;

  private final AtomicLong cutAfter = new AtomicLong(-1);
  private final AtomicLong corruptAt = new AtomicLong(-1);
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger corruptions = new AtomicInteger();
  private volatile int upstreamPort;

  CuttingProxy(int upstreamPort) {
    this.vertx = Vertx.vertx();
    this.upstreamPort = upstreamPort;
    this.upstreamClient = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(this::relay);
    Harness.await(server.listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  /** The next connection that carries more than {@code bytes} client bytes is dropped there. */
  void cutOnceAfter(long bytes) {
    cutAfter.set(bytes);
  }

  /** Byte {@code index} of the next connection that carries that many client bytes is flipped. */
  void corruptOnceAt(long index) {
    corruptAt.set(index);
  }

  int cuts() {
    return cuts.get();
  }

  int corruptions() {
    return corruptions.get();
  }

  private void relay(NetSocket client) {
    client.pause();
    upstreamClient
        .connect(upstreamPort, "127.0.0.1")
        .onComplete(
            ar -> {
              if (ar.failed()) {
                client.close();
                return;
              }
              var upstream = ar.result();
              var seen = new AtomicLong();
              client.handler(
                  data -> {
                    long start = seen.getAndAdd(data.length());
                    long cut = cutAfter.get();
                    if (cut >= 0
                        && start + data.length() > cut
                        && cutAfter.compareAndSet(cut, -1)) {
                      cuts.incrementAndGet();
                      int keep = (int) Math.max(0, cut - start);
                      upstream.write(data.getBuffer(0, keep));
                      client.close();
                      upstream.close();
                      return;
                    }
                    long corrupt = corruptAt.get();
                    if (corrupt >= 0
                        && start <= corrupt
                        && corrupt < start + data.length()
                        && corruptAt.compareAndSet(corrupt, -1)) {
                      corruptions.incrementAndGet();
                      var copy = Buffer.buffer().appendBuffer(data);
                      int i = (int) (corrupt - start);
                      copy.setByte(i, (byte) (copy.getByte(i) ^ 0x55));
                      data = copy;
                    }
                    upstream.write(data);
                    if (upstream.writeQueueFull()) {
                      client.pause();
                      upstream.drainHandler(v -> client.resume());
                    }
                  });
              upstream.handler(
                  data -> {
                    client.write(data);
                    if (client.writeQueueFull()) {
                      upstream.pause();
                      client.drainHandler(v -> upstream.resume());
                    }
                  });
              client.closeHandler(v -> upstream.close());
              upstream.closeHandler(v -> client.close());
              client.resume();
            });
  }

  @Override
  public void close() {
    Harness.await(vertx.close());
  }
}
