package io.airlock.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.airlock.sandbox.JsonRequest.MAPPER;

/**
 * The part of IAM policy evaluation the emulator needs to say what AWS would enforce on a
 * session: does an explicit {@code Deny} of every action on every resource apply, given the
 * request's condition keys? Condition keys are case-insensitive, as in IAM; a key missing from
 * the request makes its condition false (no {@code ...IfExists}); values in a list match if any
 * matches. Operators: {@code StringEquals}, {@code StringNotEquals}, {@code DateLessThan},
 * {@code DateLessThanEquals}, {@code DateGreaterThan}, {@code DateGreaterThanEquals}; any other
 * operator is an error, so that a test never passes on a condition the emulator ignored.
 */
final class PolicyEvaluation {

    private PolicyEvaluation() {
    }

    /** Whether a Deny statement for Action {@code *} and Resource {@code *} applies to the request. */
    static boolean deniesEverything(String policy, Map<String, String> context) {
        JsonNode doc;
        try {
            doc = MAPPER.readTree(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable policy: " + e.getOriginalMessage(), e);
        }
        for (JsonNode statement : list(doc.get("Statement"))) {
            if ("Deny".equals(statement.path("Effect").asText())
                    && contains(statement.get("Action"), "*") && contains(statement.get("Resource"), "*")
                    && conditionsHold(statement.get("Condition"), context)) {
                return true;
            }
        }
        return false;
    }

    private static boolean conditionsHold(JsonNode condition, Map<String, String> context) {
        if (condition == null || condition.isNull()) {
            return true;
        }
        for (Iterator<Map.Entry<String, JsonNode>> ops = condition.fields(); ops.hasNext(); ) {
            Map.Entry<String, JsonNode> op = ops.next();
            for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                String actual = context.get(key.getKey().toLowerCase(Locale.ROOT));
                if (actual == null) {
                    return false;
                }
                boolean any = false;
                for (JsonNode expected : list(key.getValue())) {
                    any |= matches(op.getKey(), actual, expected.asText());
                }
                if (!any) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(String operator, String actual, String expected) {
        return switch (operator) {
            case "StringEquals" -> actual.equals(expected);
            case "StringNotEquals" -> !actual.equals(expected);
            case "DateLessThan" -> instant(actual).isBefore(instant(expected));
            case "DateLessThanEquals" -> !instant(actual).isAfter(instant(expected));
            case "DateGreaterThan" -> instant(actual).isAfter(instant(expected));
            case "DateGreaterThanEquals" -> !instant(actual).isBefore(instant(expected));
            default -> throw new IllegalStateException("The emulator does not evaluate condition operator " + operator);
        };
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("Not an ISO-8601 date and time: " + value, e);
        }
    }

    private static boolean contains(JsonNode node, String value) {
        return list(node).stream().anyMatch(n -> value.equals(n.asText()));
    }

    private static List<JsonNode> list(JsonNode node) {
        List<JsonNode> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (node.isArray()) {
            node.forEach(result::add);
        } else {
            result.add(node);
        }
        return result;
    }
}
