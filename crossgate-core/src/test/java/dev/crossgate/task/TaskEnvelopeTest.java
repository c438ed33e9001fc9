package dev.crossgate.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The envelope the agent and the gateway both write and read: its wire form is fixed. */
class TaskEnvelopeTest {

  @Test
  void aNewEnvelopeIsWrittenInTheWireOrderWithTheQueryInItsOwnOrder() {
    var params = new LinkedHashMap<String, String>();
    params.put("z", "1");
    params.put("a", "2");

    var json = TaskEnvelope.pending("tk_1", "/async/report", params).json();

    assertThat(json)
        .isEqualTo(
            "{\"taskId\":\"tk_1\",\"status\":\"PENDING\",\"requestPath\":\"/async/report\",\"params\":{\"z\":\"1\",\"a\":\"2\"},"
                + "\"mode\":\"ASYNC\"}");
  }

  @Test
  void theGatewaysEnvelopeKeepsTheClientsTaskIdLast() {
    var agents = TaskEnvelope.parse(TaskEnvelope.pending("agent-1", "/async/def", Map.of()).json());

    var json =
        TaskEnvelope.pending("tk_9", "/async/def", Map.of())
            .withClientTaskId(agents.taskId())
            .json();

    assertThat(json)
        .isEqualTo(
            "{\"taskId\":\"tk_9\",\"status\":\"PENDING\",\"requestPath\":\"/async/def\",\"params\":{},"
                + "\"mode\":\"ASYNC\",\"clientTaskId\":\"agent-1\"}");
  }

  @Test
  void fieldsThisSideDoesNotKnowAreIgnoredAndAbsentOnesAreNull() {
    var envelope = TaskEnvelope.parse("{\"taskId\":\"a\",\"priority\":5}");

    assertThat(envelope.taskId()).isEqualTo("a");
    assertThat(envelope.requestPath()).isNull();
    assertThat(envelope.params()).isNull();
  }

  @Test
  void somethingElseThanAnObjectOrAFieldOfTheWrongTypeIsRefusedNamingIt() {
    assertThatThrownBy(() -> TaskEnvelope.parse("{nope"))
        .hasMessage("the envelope is not a JSON object");
    assertThatThrownBy(() -> TaskEnvelope.parse("null"))
        .hasMessage("the envelope is not a JSON object");
    assertThatThrownBy(() -> TaskEnvelope.parse("[1]"))
        .hasMessage("the envelope is not a JSON object");
    assertThatThrownBy(() -> TaskEnvelope.parse("{\"params\":\"x\"}"))
        .hasMessage("the envelope's params has the wrong type");
  }
}
