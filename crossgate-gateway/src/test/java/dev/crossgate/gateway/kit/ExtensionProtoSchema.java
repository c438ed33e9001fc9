package dev.crossgate.gateway.kit;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code docs/extension.proto} as protobuf-java descriptors, written out here the way protoc would
 * describe it (no protoc on a build machine): the tests read and write the GRPC protocol's messages
 * with protobuf-java's own {@link DynamicMessage}, an implementation independent of the platform's
 * hand-written codec. Keep in step with the .proto.
 */
public final class ExtensionProtoSchema {
  private static final String PACKAGE = "crossgate.extension.v1";

  public static final Descriptors.Descriptor EXTENSION_REQUEST;
  public static final Descriptors.Descriptor EXTENSION_RESPONSE;

  static {
    var file =
        FileDescriptorProto.newBuilder()
            .setName("extension.proto")
            .setPackage(PACKAGE)
            .setSyntax("proto3")
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("ExtensionRequest")
                    .addField(scalar("request_id", 1, Type.TYPE_STRING))
                    .addField(scalar("tenant", 2, Type.TYPE_STRING))
                    .addField(scalar("participant", 3, Type.TYPE_STRING))
                    .addField(scalar("extension", 4, Type.TYPE_STRING))
                    .addField(scalar("version", 5, Type.TYPE_STRING))
                    .addField(scalar("point", 6, Type.TYPE_STRING))
                    .addField(message("request", 7, "HttpRequest"))
                    .addField(message("response", 8, "HttpResponse")))
            .addMessageType(
                withMaps(
                    DescriptorProto.newBuilder()
                        .setName("HttpRequest")
                        .addField(scalar("method", 1, Type.TYPE_STRING))
                        .addField(scalar("path", 2, Type.TYPE_STRING))
                        .addField(scalar("body", 5, Type.TYPE_BYTES)),
                    "HttpRequest",
                    Map.of("headers", 3, "query", 4)))
            .addMessageType(
                withMaps(
                    DescriptorProto.newBuilder()
                        .setName("HttpResponse")
                        .addField(scalar("status", 1, Type.TYPE_INT32))
                        .addField(scalar("body", 3, Type.TYPE_BYTES)),
                    "HttpResponse",
                    Map.of("headers", 2)))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("ExtensionResponse")
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("answer"))
                    .addField(scalar("proceed", 1, Type.TYPE_BOOL).setOneofIndex(0))
                    .addField(message("request", 2, "RequestChange").setOneofIndex(0))
                    .addField(message("response", 3, "ResponseChange").setOneofIndex(0)))
            .addMessageType(
                withMaps(
                    DescriptorProto.newBuilder()
                        .setName("RequestChange")
                        .addField(repeatedString("remove_headers", 2))
                        .addField(repeatedString("remove_query", 4))
                        .addOneofDecl(OneofDescriptorProto.newBuilder().setName("_body"))
                        .addField(optionalBytes("body", 5, 0)),
                    "RequestChange",
                    Map.of("headers", 1, "query", 3)))
            .addMessageType(
                withMaps(
                    DescriptorProto.newBuilder()
                        .setName("ResponseChange")
                        .addField(scalar("status", 1, Type.TYPE_INT32))
                        .addField(repeatedString("remove_headers", 3))
                        .addOneofDecl(OneofDescriptorProto.newBuilder().setName("_body"))
                        .addField(optionalBytes("body", 4, 0)),
                    "ResponseChange",
                    Map.of("headers", 2)))
            .build();
    try {
      var descriptor =
          Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0]);
      EXTENSION_REQUEST = descriptor.findMessageTypeByName("ExtensionRequest");
      EXTENSION_RESPONSE = descriptor.findMessageTypeByName("ExtensionResponse");
    } catch (Descriptors.DescriptorValidationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private ExtensionProtoSchema() {}

  private static FieldDescriptorProto.Builder scalar(String name, int number, Type type) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setType(type)
        .setLabel(Label.LABEL_OPTIONAL)
        .setJsonName(jsonName(name));
  }

  private static FieldDescriptorProto.Builder message(String name, int number, String type) {
    return scalar(name, number, Type.TYPE_MESSAGE).setTypeName("." + PACKAGE + "." + type);
  }

  private static FieldDescriptorProto.Builder repeatedString(String name, int number) {
    return scalar(name, number, Type.TYPE_STRING).setLabel(Label.LABEL_REPEATED);
  }

  /** A proto3 {@code optional} field: presence through a synthetic one-member oneof. */
  private static FieldDescriptorProto.Builder optionalBytes(String name, int number, int oneof) {
    return scalar(name, number, Type.TYPE_BYTES).setProto3Optional(true).setOneofIndex(oneof);
  }

  /** {@code map<string,string>} fields: protoc's nested {@code XEntry} types with map_entry. */
  private static DescriptorProto.Builder withMaps(
      DescriptorProto.Builder type, String typeName, Map<String, Integer> maps) {
    maps.forEach(
        (name, number) -> {
          var entry = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Entry";
          type.addNestedType(
              DescriptorProto.newBuilder()
                  .setName(entry)
                  .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                  .addField(scalar("key", 1, Type.TYPE_STRING))
                  .addField(scalar("value", 2, Type.TYPE_STRING)));
          type.addField(
              message(name, number, typeName + "." + entry).setLabel(Label.LABEL_REPEATED));
        });
    return type;
  }

  private static String jsonName(String name) {
    var out = new StringBuilder();
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  // ---- reading and writing messages by field name

  /** The message or scalar at a dotted path ({@code request.path}); null when not set. */
  public static Object get(DynamicMessage message, String path) {
    Object at = message;
    for (var name : path.split("\\.")) {
      var m = (DynamicMessage) at;
      var field = m.getDescriptorForType().findFieldByName(name);
      if (field == null) {
        throw new IllegalArgumentException("no field " + name + " in " + m.getDescriptorForType());
      }
      if (!field.isRepeated() && field.hasPresence() && !m.hasField(field)) {
        return null;
      }
      at = m.getField(field);
    }
    return at;
  }

  public static String string(DynamicMessage message, String path) {
    return (String) get(message, path);
  }

  /** A bytes field as UTF-8 text ("" when empty). */
  public static String text(DynamicMessage message, String path) {
    var bytes = (ByteString) get(message, path);
    return bytes == null ? null : bytes.toString(StandardCharsets.UTF_8);
  }

  /** A {@code map<string,string>} field. */
  public static Map<String, String> map(DynamicMessage message, String path) {
    var map = new LinkedHashMap<String, String>();
    for (var entry : (List<?>) get(message, path)) {
      var e = (DynamicMessage) entry;
      map.put(string(e, "key"), string(e, "value"));
    }
    return map;
  }

  /** {@code ExtensionResponse{proceed: true}}. */
  public static DynamicMessage proceed() {
    var b = DynamicMessage.newBuilder(EXTENSION_RESPONSE);
    return b.setField(EXTENSION_RESPONSE.findFieldByName("proceed"), true).build();
  }

  /** {@code ExtensionResponse{request: RequestChange{…}}}; {@code body} null leaves it out. */
  public static DynamicMessage changeRequest(
      Map<String, String> headers,
      List<String> removeHeaders,
      Map<String, String> query,
      String body) {
    var field = EXTENSION_RESPONSE.findFieldByName("request");
    var change = DynamicMessage.newBuilder(field.getMessageType());
    put(change, "headers", headers);
    removeHeaders.forEach(
        name ->
            change.addRepeatedField(
                field.getMessageType().findFieldByName("remove_headers"), name));
    put(change, "query", query);
    body(change, body);
    return DynamicMessage.newBuilder(EXTENSION_RESPONSE).setField(field, change.build()).build();
  }

  /** {@code ExtensionResponse{response: ResponseChange{…}}}; {@code body} null leaves it out. */
  public static DynamicMessage changeResponse(
      int status, Map<String, String> headers, String body) {
    var field = EXTENSION_RESPONSE.findFieldByName("response");
    var change = DynamicMessage.newBuilder(field.getMessageType());
    change.setField(field.getMessageType().findFieldByName("status"), status);
    put(change, "headers", headers);
    body(change, body);
    return DynamicMessage.newBuilder(EXTENSION_RESPONSE).setField(field, change.build()).build();
  }

  private static void put(DynamicMessage.Builder message, String name, Map<String, String> map) {
    var field = message.getDescriptorForType().findFieldByName(name);
    var entryType = field.getMessageType();
    map.forEach(
        (k, v) ->
            message.addRepeatedField(
                field,
                DynamicMessage.newBuilder(entryType)
                    .setField(entryType.findFieldByName("key"), k)
                    .setField(entryType.findFieldByName("value"), v)
                    .build()));
  }

  private static void body(DynamicMessage.Builder message, String body) {
    if (body != null) {
      message.setField(
          message.getDescriptorForType().findFieldByName("body"), ByteString.copyFromUtf8(body));
    }
  }
}
