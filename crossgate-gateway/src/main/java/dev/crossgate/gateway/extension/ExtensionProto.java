package dev.crossgate.gateway.extension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.crossgate.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;

/**
 * The messages of {@code docs/extension.proto} (package {@code crossgate.extension.v1}), written
 * and read by hand with protobuf-java's coded streams: no generated code, so the build needs no
 * protoc. Both directions translate from and to the JSON contract's model, so a GRPC step is
 * decided and applied exactly like an HTTP one. Unknown fields are skipped (a tenant built against
 * a newer .proto still works); a known field number with another wire type is an unknown field, as
 * protobuf parsers treat it.
 */
final class ExtensionProto {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // ExtensionResponse
  private static final int PROCEED = tag(1, WireFormat.WIRETYPE_VARINT);
  private static final int REQUEST_CHANGE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int RESPONSE_CHANGE = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);

  // a map<string,string> entry
  private static final int ENTRY_KEY = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int ENTRY_VALUE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);

  private ExtensionProto() {}

  private static int tag(int field, int wireType) {
    // WireFormat.makeTag is package-private: the tag is the field number and the wire type's 3 bits
    return field << 3 | wireType;
  }

  /**
   * An ExtensionRequest from the contract's input ({@code requestId, tenant, … request, response}).
   */
  static byte[] request(JsonNode input) {
    return message(
        out -> {
          string(out, 1, input.get("requestId"));
          string(out, 2, input.get("tenant"));
          string(out, 3, input.get("participant"));
          string(out, 4, input.get("extension"));
          string(out, 5, input.get("version"));
          string(out, 6, input.get("point"));
          var request = input.get("request");
          if (request != null && request.isObject()) {
            out.writeByteArray(
                7,
                message(
                    r -> {
                      string(r, 1, request.get("method"));
                      string(r, 2, request.get("path"));
                      map(r, 3, request.get("headers"));
                      map(r, 4, request.get("query"));
                      body(r, 5, request.get("body"));
                    }));
          }
          var response = input.get("response");
          if (response != null && response.isObject()) {
            out.writeByteArray(
                8,
                message(
                    r -> {
                      int status = response.path("status").asInt();
                      if (status != 0) {
                        r.writeInt32(1, status);
                      }
                      map(r, 2, response.get("headers"));
                      body(r, 3, response.get("body"));
                    }));
          }
        });
  }

  /**
   * The contract's answer ({@code {"continue":…}}, {@code {"request":…}} or {@code {"response":…}})
   * from an ExtensionResponse; an empty object when it sets none of them.
   *
   * @throws ExtensionFailure BAD_REPLY when the bytes are not such a message
   */
  static ObjectNode answer(byte[] message) {
    var answer = NODES.objectNode();
    try {
      var in = CodedInputStream.newInstance(message);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        // a oneof: the last member on the wire wins
        if (tag == PROCEED) {
          answer.removeAll().put("continue", in.readBool());
        } else if (tag == REQUEST_CHANGE) {
          answer.removeAll().set("request", change(in.readByteArray(), REQUEST_CHANGE_FIELDS));
        } else if (tag == RESPONSE_CHANGE) {
          answer.removeAll().set("response", change(in.readByteArray(), RESPONSE_CHANGE_FIELDS));
        } else {
          in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new ExtensionFailure(
          ExtensionFailure.Kind.BAD_REPLY, "the answer is not an ExtensionResponse message");
    }
    return answer;
  }

  /**
   * Field numbers of RequestChange and ResponseChange (0: the message has no such field): both are
   * read by one {@link #change}.
   */
  private record Layout(
      int status, int headers, int removeHeaders, int query, int removeQuery, int body) {}

  private static final Layout REQUEST_CHANGE_FIELDS = new Layout(0, 1, 2, 3, 4, 5);
  private static final Layout RESPONSE_CHANGE_FIELDS = new Layout(1, 2, 3, 0, 0, 4);

  /**
   * A RequestChange or ResponseChange as the JSON contract's change: a removal is a null value, a
   * body its bytes as text (applied as is, under the content type the message sets or the one
   * already there), an empty body null.
   */
  private static ObjectNode change(byte[] message, Layout fields) throws IOException {
    var change = NODES.objectNode();
    var headers = NODES.objectNode();
    var query = NODES.objectNode();
    var removedHeaders = new ArrayList<String>();
    var removedQuery = new ArrayList<String>();
    var in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
        if (field == fields.status()) {
          int status = in.readInt32();
          if (status != 0) {
            change.put("status", status);
          }
        } else {
          in.skipField(tag);
        }
      } else if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        in.skipField(tag);
      } else if (field == fields.headers()) {
        entry(in.readByteArray(), headers);
      } else if (field == fields.removeHeaders()) {
        removedHeaders.add(in.readStringRequireUtf8());
      } else if (field == fields.query()) {
        entry(in.readByteArray(), query);
      } else if (field == fields.removeQuery()) {
        removedQuery.add(in.readStringRequireUtf8());
      } else if (field == fields.body()) {
        var bytes = in.readByteArray();
        change.set(
            "body",
            bytes.length == 0
                ? NODES.nullNode()
                : NODES.textNode(new String(bytes, StandardCharsets.UTF_8)));
      } else {
        in.skipField(tag);
      }
    }
    // a name both set and removed is removed
    removedHeaders.forEach(headers::putNull);
    removedQuery.forEach(query::putNull);
    if (!headers.isEmpty()) {
      change.set("headers", headers);
    }
    if (!query.isEmpty()) {
      change.set("query", query);
    }
    return change;
  }

  /** One map entry (key 1, value 2; either may be absent, meaning ""), put into {@code into}. */
  private static void entry(byte[] message, ObjectNode into) throws IOException {
    String key = "";
    String value = "";
    var in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == ENTRY_KEY) {
        key = in.readStringRequireUtf8();
      } else if (tag == ENTRY_VALUE) {
        value = in.readStringRequireUtf8();
      } else {
        in.skipField(tag);
      }
    }
    into.put(key, value);
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) {
    var bytes = new ByteArrayOutputStream();
    var out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory", e);
    }
    return bytes.toByteArray();
  }

  /** A proto3 string: absent when empty (or null in the JSON model). */
  private static void string(CodedOutputStream out, int field, JsonNode value) throws IOException {
    if (value != null && !value.isNull() && !value.asText().isEmpty()) {
      out.writeString(field, value.asText());
    }
  }

  /** A {@code map<string,string>}: one length-delimited entry per member. */
  private static void map(CodedOutputStream out, int field, JsonNode members) throws IOException {
    if (members == null || !members.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : members.properties()) {
      var value = e.getValue().isNull() ? "" : e.getValue().asText();
      out.writeByteArray(
          field,
          message(
              entry -> {
                entry.writeString(1, e.getKey());
                entry.writeString(2, value);
              }));
    }
  }

  /** A body as bytes: text as UTF-8, JSON serialised, absent when empty. */
  private static void body(CodedOutputStream out, int field, JsonNode body) throws IOException {
    if (body == null || body.isNull()) {
      return;
    }
    var bytes =
        body.isTextual() ? body.asText().getBytes(StandardCharsets.UTF_8) : Json.writeBytes(body);
    if (bytes.length > 0) {
      out.writeByteArray(field, bytes);
    }
  }
}
