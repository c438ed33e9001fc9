package dev.crossgate.gateway.kit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A DNS server on 127.0.0.1 (UDP) that answers A queries for one name with an address the test can
 * change, and SRV queries with records the test can change, all with a 1 s TTL: what a Kubernetes
 * service (or a headless service's pods) looks like when its pods move.
 */
public final class FakeDnsServer implements AutoCloseable {
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final AtomicReference<byte[]> address = new AtomicReference<>();
  private final AtomicInteger queries = new AtomicInteger();
  private final AtomicInteger srvQueries = new AtomicInteger();
  private final Map<String, List<Srv>> srv = new ConcurrentHashMap<>();
  private final String name;
  private final Channel channel;

  public FakeDnsServer(String name, String ipv4) throws Exception {
    this.name = name.endsWith(".") ? name : name + ".";
    answer(ipv4);
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(
                new ChannelInitializer<DatagramChannel>() {
                  @Override
                  protected void initChannel(DatagramChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new DatagramDnsQueryDecoder(),
                            new DatagramDnsResponseEncoder(),
                            new Responder());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** From now on, the name resolves to {@code ipv4}. */
  public void answer(String ipv4) throws Exception {
    address.set(InetAddress.getByName(ipv4).getAddress());
  }

  public int queries() {
    return queries.get();
  }

  /** One SRV record: where one instance of a service listens. */
  public record Srv(int priority, int weight, int port, String target) {}

  /** From now on, SRV queries for {@code name} answer {@code records} (none: an empty answer). */
  public void srv(String name, List<Srv> records) {
    srv.put(key(name), List.copyOf(records));
  }

  public int srvQueries() {
    return srvQueries.get();
  }

  private static String key(String name) {
    return (name.endsWith(".") ? name : name + ".").toLowerCase(java.util.Locale.ROOT);
  }

  /** SRV RDATA (RFC 2782): priority, weight, port, then the target as uncompressed labels. */
  private static ByteBuf rdata(Srv record) {
    var out = Unpooled.buffer();
    out.writeShort(record.priority()).writeShort(record.weight()).writeShort(record.port());
    for (var label : record.target().split("\\.")) {
      var bytes = label.getBytes(StandardCharsets.US_ASCII);
      out.writeByte(bytes.length).writeBytes(bytes);
    }
    return out.writeByte(0);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      var response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      response.addRecord(DnsSection.QUESTION, question);
      if (question.type() == DnsRecordType.A && question.name().equalsIgnoreCase(name)) {
        queries.incrementAndGet();
        response.addRecord(
            DnsSection.ANSWER,
            new DefaultDnsRawRecord(
                question.name(), DnsRecordType.A, 1, Unpooled.wrappedBuffer(address.get())));
      } else if (question.type() == DnsRecordType.SRV && srv.containsKey(key(question.name()))) {
        srvQueries.incrementAndGet();
        for (var record : srv.get(key(question.name()))) {
          response.addRecord(
              DnsSection.ANSWER,
              new DefaultDnsRawRecord(question.name(), DnsRecordType.SRV, 1, rdata(record)));
        }
      }
      ctx.writeAndFlush(response);
    }
  }
}
