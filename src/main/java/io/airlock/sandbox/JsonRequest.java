package io.airlock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonGenerator;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reading an AWS JSON 1.1 request body with AWS-style validation messages, plus pagination. */
final class JsonRequest {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final JsonNode body;

    JsonRequest(JsonNode body) {
        this.body = body == null || body.isNull() || body.isMissingNode() ? MAPPER.createObjectNode() : body;
    }

    JsonNode node(String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n;
    }

    String optional(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw SandboxException.validation("1 validation error detected: Value at '" + camel(field)
                    + "' failed to satisfy constraint: Member must be a string");
        }
        return n.asText();
    }

    String required(String field) {
        String value = optional(field);
        if (value == null) {
            throw SandboxException.validation("1 validation error detected: Value null at '" + camel(field)
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    String required(String field, Pattern pattern) {
        String value = required(field);
        check(field, value, pattern);
        return value;
    }

    String optional(String field, Pattern pattern) {
        String value = optional(field);
        if (value != null) {
            check(field, value, pattern);
        }
        return value;
    }

    String requiredEnum(String field, String... allowed) {
        String value = required(field);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw SandboxException.validation("1 validation error detected: Value '" + value + "' at '" + camel(field)
                + "' failed to satisfy constraint: Member must satisfy enum value set: "
                + String.join(", ", allowed));
    }

    String optionalEnum(String field, String... allowed) {
        return node(field) == null ? null : requiredEnum(field, allowed);
    }

    static void check(String field, String value, Pattern pattern) {
        if (!pattern.matcher(value).matches()) {
            throw SandboxException.validation("1 validation error detected: Value '" + value + "' at '"
                    + camel(field) + "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + pattern.pattern());
        }
    }

    /** AWS validation messages use the camelCase member name. */
    static String camel(String field) {
        return Character.toLowerCase(field.charAt(0)) + field.substring(1);
    }

    // ------------------------------------------------------------------ pagination

    /** Pages {@code items} with this request's MaxResults / NextToken into {@code listField} of {@code out}. */
    <T> void page(List<T> items, int maxLimit, ObjectNode out, String listField, Function<T, JsonNode> render) {
        page(items, maxLimit, out, listField, render, "ValidationException");
    }

    <T> void page(List<T> items, int maxLimit, ObjectNode out, String listField, Function<T, JsonNode> render,
                  String invalidInputCode) {
        int max = maxLimit;
        JsonNode mr = node("MaxResults");
        if (mr != null) {
            if (!mr.canConvertToInt() || mr.asInt() < 1 || mr.asInt() > maxLimit) {
                throw new SandboxException(invalidInputCode, 400, "1 validation error detected: Value '"
                        + mr.asText() + "' at 'maxResults' failed to satisfy constraint: "
                        + "Member must have value between 1 and " + maxLimit);
            }
            max = mr.asInt();
        }
        int offset = decodeToken(optional("NextToken"), items.size(), invalidInputCode);
        int end = Math.min(items.size(), offset + max);
        ArrayNode array = out.putArray(listField);
        for (T item : items.subList(offset, end)) {
            array.add(render.apply(item));
        }
        if (end < items.size()) {
            out.put("NextToken", encodeToken(end));
        }
    }

    private static String encodeToken(int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("airlock-sandbox:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decodeToken(String token, int size, String invalidInputCode) {
        if (token == null || token.isEmpty()) {
            return 0;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.startsWith("airlock-sandbox:")) {
                int offset = Integer.parseInt(decoded.substring("airlock-sandbox:".length()));
                if (offset >= 0 && offset <= size) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new SandboxException(invalidInputCode, 400, "The NextToken value is not valid.");
    }

    /** AWS JSON timestamps: epoch seconds as a number, with milliseconds. */
    static BigDecimal epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3);
    }
}
