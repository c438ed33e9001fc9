package dev.crossgate.gateway.kit;

import com.google.protobuf.DynamicMessage;
import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A tenant's extension served by a real gRPC server (grpc-java, Netty) on loopback: the service of
 * {@code docs/extension.proto} registered by hand, its messages read and written with
 * protobuf-java's {@link DynamicMessage} ({@link ExtensionProtoSchema}). Records every call with
 * its metadata and deadline, and counts the connections the platform opens.
 */
public final class GrpcTenant implements AutoCloseable {
  /** One call as the server saw it. */
  public record Call(DynamicMessage request, Metadata headers, Long deadlineMs) {
    public String header(String name) {
      return headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }
  }

  static final MethodDescriptor<DynamicMessage, DynamicMessage> CALL =
      MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName("crossgate.extension.v1.Extension", "Call"))
          .setRequestMarshaller(marshaller(ExtensionProtoSchema.EXTENSION_REQUEST))
          .setResponseMarshaller(marshaller(ExtensionProtoSchema.EXTENSION_RESPONSE))
          .build();

  private static final Context.Key<Metadata> HEADERS = Context.key("headers");

  private final Server server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  /**
   * Serves {@code handler}: it answers on the observer (a message, or {@code onError} with a
   * status), or not at all — the call then waits for the deadline or the server's close. Runs on
   * the server's transport thread: it must not block.
   */
  public static GrpcTenant start(BiConsumer<Call, StreamObserver<DynamicMessage>> handler) {
    return new GrpcTenant(handler);
  }

  private GrpcTenant(BiConsumer<Call, StreamObserver<DynamicMessage>> handler) {
    var service =
        ServerServiceDefinition.builder("crossgate.extension.v1.Extension")
            .addMethod(
                CALL,
                ServerCalls.asyncUnaryCall(
                    (request, observer) -> {
                      var deadline = Context.current().getDeadline();
                      var call =
                          new Call(
                              request,
                              HEADERS.get(),
                              deadline == null
                                  ? null
                                  : deadline.timeRemaining(TimeUnit.MILLISECONDS));
                      calls.add(call);
                      handler.accept(call, observer);
                    }))
            .build();
    ServerInterceptor keepHeaders =
        new ServerInterceptor() {
          @Override
          public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(
              io.grpc.ServerCall<Q, A> call,
              Metadata headers,
              io.grpc.ServerCallHandler<Q, A> next) {
            return Contexts.interceptCall(
                Context.current().withValue(HEADERS, headers), call, headers, next);
          }
        };
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              // handlers answer at once or later from another thread, never block: no hop to a pool
              .directExecutor()
              .addService(ServerInterceptors.intercept(service, keepHeaders))
              .addTransportFilter(
                  new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes transportAttrs) {
                      connections.incrementAndGet();
                      return transportAttrs;
                    }
                  })
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL the extension is registered with: h2c with prior knowledge. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** Connections the platform opened so far. */
  public int connections() {
    return connections.get();
  }

  public List<Call> calls() {
    return calls;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static MethodDescriptor.Marshaller<DynamicMessage> marshaller(
      com.google.protobuf.Descriptors.Descriptor type) {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(DynamicMessage value) {
        return value.toByteString().newInput();
      }

      @Override
      public DynamicMessage parse(InputStream stream) {
        try {
          return DynamicMessage.parseFrom(type, stream);
        } catch (IOException e) {
          throw io.grpc.Status.INTERNAL
              .withDescription("not a " + type.getName())
              .withCause(e)
              .asRuntimeException();
        }
      }
    };
  }
}
