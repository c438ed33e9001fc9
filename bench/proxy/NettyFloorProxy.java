// A floor one layer further down than FloorProxy: an HTTP/1.1 reverse proxy on Netty alone (the
// Netty of the shipped jar, epoll, its HTTP codecs), no Vert.x. Each client connection gets its
// own keep-alive upstream connection on the same event loop, and HTTP messages are relayed as they
// are decoded, without copying headers or bodies. It answers one question: how close to nginx can
// a JVM proxy get on this machine at all (the `netty-floor` row of run.sh).
//   java -cp crossgate-app/target/crossgate.jar bench/proxy/NettyFloorProxy.java PORT UPSTREAM_PORT
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;

public class NettyFloorProxy {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int upstreamPort = Integer.parseInt(args[1]);
    var group =
        new MultiThreadIoEventLoopGroup(
            Runtime.getRuntime().availableProcessors(), EpollIoHandler.newFactory());
    new ServerBootstrap()
        .group(group)
        .channel(EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel client) {
                client.pipeline().addLast(new HttpServerCodec(), new Downstream(upstreamPort));
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.out.println("netty floor proxy ready port=" + port);
  }

  /** The client side: opens the paired upstream connection, then relays requests to it. */
  static final class Downstream extends ChannelInboundHandlerAdapter {
    private final int upstreamPort;
    private Channel upstream;

    Downstream(int upstreamPort) {
      this.upstreamPort = upstreamPort;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      var client = ctx.channel();
      new Bootstrap()
          .group(client.eventLoop())
          .channel(EpollSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                  channel.pipeline().addLast(new HttpClientCodec(), new Upstream(client));
                }
              })
          .connect("127.0.0.1", upstreamPort)
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  upstream = ((io.netty.channel.ChannelFuture) f).channel();
                  client.config().setAutoRead(true);
                  client.read();
                } else {
                  client.close();
                }
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + upstreamPort);
      }
      if (msg instanceof LastHttpContent) {
        upstream.writeAndFlush(msg);
      } else {
        upstream.write(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  /** The upstream side: relays each response back to its client. */
  static final class Upstream extends ChannelInboundHandlerAdapter {
    private final Channel client;

    Upstream(Channel client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof LastHttpContent) {
        client.writeAndFlush(msg);
      } else {
        client.write(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      client.close();
    }
  }
}
