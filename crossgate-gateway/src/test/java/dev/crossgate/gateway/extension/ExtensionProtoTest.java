package dev.crossgate.gateway.extension;

import static dev.crossgate.gateway.kit.ExtensionProtoSchema.EXTENSION_REQUEST;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.changeRequest;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.changeResponse;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.get;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.map;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.proceed;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.string;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.UnknownFieldSet;
import dev.crossgate.json.Json;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hand-written codec of docs/extension.proto against protobuf-java's own reading and writing of
 * the same schema ({@link DynamicMessage}), and the gRPC message framing.
 */
class ExtensionProtoTest {
  private static final String INPUT =
      """
      {"requestId":"r-1","tenant":"acme","participant":null,"extension":"order.check","version":"v2",
       "point":"response",
       "request":{"method":"POST","path":"/orders/1","headers":{"content-type":"application/json"},
                  "query":{"dry":"1"},"body":{"order":1}},
       "response":{"status":404,"headers":{"x-a":"b"},"body":"gone"}}
      """;

  @Test
  void theRequestIsTheContractsInputAsProtobufReadsIt() throws Exception {
    var bytes = ExtensionProto.request(Json.mapper().readTree(INPUT));

    var message = DynamicMessage.parseFrom(EXTENSION_REQUEST, bytes);

    assertThat(message.getUnknownFields().asMap()).isEmpty();
    assertThat(string(message, "request_id")).isEqualTo("r-1");
    assertThat(string(message, "tenant")).isEqualTo("acme");
    assertThat(string(message, "participant")).isEmpty();
    assertThat(string(message, "extension")).isEqualTo("order.check");
    assertThat(string(message, "version")).isEqualTo("v2");
    assertThat(string(message, "point")).isEqualTo("response");
    assertThat(string(message, "request.method")).isEqualTo("POST");
    assertThat(string(message, "request.path")).isEqualTo("/orders/1");
    assertThat(map(message, "request.headers"))
        .isEqualTo(Map.of("content-type", "application/json"));
    assertThat(map(message, "request.query")).isEqualTo(Map.of("dry", "1"));
    assertThat(text(message, "request.body")).isEqualTo("{\"order\":1}");
    assertThat(get(message, "response.status")).isEqualTo(404);
    assertThat(map(message, "response.headers")).isEqualTo(Map.of("x-a", "b"));
    assertThat(text(message, "response.body")).isEqualTo("gone");
  }

  @Test
  void aRequestWithoutAResponseOrBodyLeavesThemOut() throws Exception {
    var input =
        Json.mapper()
            .readTree(
                "{\"requestId\":\"r\",\"point\":\"request\",\"request\":{\"method\":\"GET\",\"path\":\"/\",\"headers\":{},\"query\":{},\"body\":null}}");

    var message = DynamicMessage.parseFrom(EXTENSION_REQUEST, ExtensionProto.request(input));

    assertThat(message.hasField(EXTENSION_REQUEST.findFieldByName("response"))).isFalse();
    assertThat(text(message, "request.body")).isEmpty();
  }

  @Test
  void eachAnswerBecomesTheContractsJsonAnswer() {
    var proceed = ExtensionProto.answer(proceed().toByteArray());
    var request =
        ExtensionProto.answer(
            changeRequest(
                    Map.of("x-checked", "yes", "x-both", "set"),
                    List.of("x-drop", "x-both"),
                    Map.of("checked", "1"),
                    "new body")
                .toByteArray());
    var emptied =
        ExtensionProto.answer(changeRequest(Map.of(), List.of(), Map.of(), "").toByteArray());
    var unchangedBody =
        ExtensionProto.answer(
            changeRequest(Map.of("a", "b"), List.of(), Map.of(), null).toByteArray());
    var response =
        ExtensionProto.answer(changeResponse(403, Map.of("x-reason", "stock"), "no").toByteArray());
    var statusOnly = ExtensionProto.answer(changeResponse(0, Map.of(), null).toByteArray());

    assertThat(proceed).isEqualTo(json("{\"continue\":true}"));
    assertThat(request)
        .isEqualTo(
            json(
                "{\"request\":{\"body\":\"new body\",\"headers\":{\"x-checked\":\"yes\",\"x-both\":null,\"x-drop\":null},\"query\":{\"checked\":\"1\"}}}"));
    assertThat(emptied).isEqualTo(json("{\"request\":{\"body\":null}}"));
    assertThat(unchangedBody.path("request").has("body")).isFalse();
    assertThat(response)
        .isEqualTo(
            json(
                "{\"response\":{\"status\":403,\"body\":\"no\",\"headers\":{\"x-reason\":\"stock\"}}}"));
    assertThat(statusOnly).isEqualTo(json("{\"response\":{}}"));
  }

  @Test
  void unknownFieldsAreSkippedAtEveryLevel() {
    var change = changeResponse(418, Map.of("x-tea", "pot"), "short and stout");
    var changeField = change.getDescriptorForType().findFieldByName("response");
    var inner = (DynamicMessage) change.getField(changeField);
    var unknown =
        UnknownFieldSet.newBuilder()
            .addField(
                99,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFromUtf8("from a newer .proto"))
                    .addVarint(7)
                    .addFixed64(1L)
                    .addFixed32(2)
                    .build())
            .build();
    var withUnknown =
        change.toBuilder()
            .setField(changeField, inner.toBuilder().setUnknownFields(unknown).build())
            .setUnknownFields(unknown)
            .build();

    var answer = ExtensionProto.answer(withUnknown.toByteArray());

    assertThat(answer)
        .isEqualTo(
            json(
                "{\"response\":{\"status\":418,\"body\":\"short and stout\",\"headers\":{\"x-tea\":\"pot\"}}}"));
  }

  @Test
  void anEmptyAnswerIsNoneOfTheThreeAndBrokenBytesAreABadReply() {
    assertThat(ExtensionProto.answer(new byte[0]).isEmpty()).isTrue();
    // field 2 (RequestChange) announcing 100 bytes, followed by 1
    assertThatThrownBy(() -> ExtensionProto.answer(new byte[] {0x12, 100, 1}))
        .isInstanceOf(ExtensionFailure.class)
        .hasMessageContaining("not an ExtensionResponse");
  }

  @Test
  void aFramedMessageReadsBackAndCompressedCutOrOversizedOnesAreRefused() {
    var message = proceed().toByteArray();
    var framed = GrpcUnary.frame(message);
    var compressed =
        Buffer.buffer().appendByte((byte) 1).appendBuffer(framed.getBuffer(1, framed.length()));
    var cut = framed.getBuffer(0, framed.length() - 1);
    var twice = framed.copy().appendBuffer(framed);

    assertThat(framed.getByte(0)).isZero();
    assertThat(framed.getInt(1)).isEqualTo(message.length);
    assertThat(GrpcUnary.message(framed, 1024)).isEqualTo(message);
    assertThat(kind(() -> GrpcUnary.message(compressed, 1024)))
        .isEqualTo(ExtensionFailure.Kind.BAD_REPLY);
    assertThat(kind(() -> GrpcUnary.message(cut, 1024))).isEqualTo(ExtensionFailure.Kind.BAD_REPLY);
    assertThat(kind(() -> GrpcUnary.message(twice, 1024)))
        .isEqualTo(ExtensionFailure.Kind.BAD_REPLY);
    assertThat(kind(() -> GrpcUnary.message(Buffer.buffer(), 1024)))
        .isEqualTo(ExtensionFailure.Kind.BAD_REPLY);
    assertThat(kind(() -> GrpcUnary.message(framed, message.length - 1)))
        .isEqualTo(ExtensionFailure.Kind.TOO_LARGE);
  }

  @Test
  void theTimeoutIsRoundedUpToWholeMillisecondsAndStatusesMapToFailureKinds() {
    assertThat(GrpcUnary.timeout(250_000_000L)).isEqualTo("250m");
    assertThat(GrpcUnary.timeout(249_000_001L)).isEqualTo("250m");
    assertThat(GrpcUnary.timeout(-5)).isEqualTo("1m");
    assertThat(GrpcUnary.failure("4", 250).kind()).isEqualTo(ExtensionFailure.Kind.TIMEOUT);
    assertThat(GrpcUnary.failure("14", 250).kind()).isEqualTo(ExtensionFailure.Kind.UNREACHABLE);
    assertThat(GrpcUnary.failure("7", 250).kind()).isEqualTo(ExtensionFailure.Kind.ERROR_STATUS);
    assertThat(GrpcUnary.failure("7", 250).getMessage()).contains("PERMISSION_DENIED");
    assertThat(GrpcUnary.failure("99", 250).getMessage()).contains("99");
    assertThat(GrpcUnary.failure("seven", 250).kind()).isEqualTo(ExtensionFailure.Kind.BAD_REPLY);
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ExtensionFailure.Kind kind(Runnable reading) {
    try {
      reading.run();
    } catch (ExtensionFailure f) {
      return f.kind();
    }
    throw new AssertionError("no failure");
  }
}
