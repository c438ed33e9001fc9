package dev.crossgate.gateway.extension;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.problem.Problem;

/**
 * What an extension step decided, after its failure policy was applied. At most one member is set;
 * none means "continue unchanged".
 *
 * @param request changes to the request ({@code headers}, {@code query}, {@code body}); request
 *     point only
 * @param response before the proxy: the response to answer with; after it: changes to the response
 *     ({@code status}, {@code headers}, {@code body})
 * @param problem the step failed and its policy is FAIL_CLOSED: answer with this problem
 */
public record Verdict(JsonNode request, JsonNode response, Problem problem) {
  public static final Verdict CONTINUE = new Verdict(null, null, null);
}
