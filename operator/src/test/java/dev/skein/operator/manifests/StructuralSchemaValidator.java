package dev.skein.operator.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a document against a CRD's {@code openAPIV3Schema} the way the API server's structural-schema validation
 * would, for the keywords the generated CRDs use: {@code type}, {@code required}, {@code properties}, {@code
 * additionalProperties}, {@code enum}, {@code minimum}/{@code maximum}, {@code pattern}, {@code items}, {@code
 * nullable}, {@code x-kubernetes-int-or-string} and {@code x-kubernetes-preserve-unknown-fields}. Unlike the API server
 * (which prunes them), fields no schema declares are reported, since in an example they are typos. Stateless.
 */
final class StructuralSchemaValidator {
    private StructuralSchemaValidator() {}

    /** Problems of {@code document} (a whole custom resource), each prefixed by its JSON path; empty when valid. */
    static List<String> validateResource(JsonNode schema, JsonNode document) {
        List<String> problems = new ArrayList<>();
        // apiVersion, kind and metadata are validated by the API server itself, not by the CRD schema
        Iterator<Map.Entry<String, JsonNode>> fields = document.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (name.equals("apiVersion") || name.equals("kind") || name.equals("metadata")) {
                continue;
            }
            JsonNode propertySchema = schema.path("properties").get(name);
            if (propertySchema == null) {
                problems.add("." + name + ": unknown field");
            } else {
                validate(propertySchema, field.getValue(), "." + name, problems);
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!document.has(required.asText())) {
                problems.add("." + required.asText() + ": required field missing");
            }
        }
        return problems;
    }

    /** Problems of {@code value} at {@code path} against {@code schema}, appended to {@code problems}. */
    static void validate(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                problems.add(path + ": null is not allowed");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                problems.add(path + ": must be an integer or a string, got " + kind(value));
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> validateObject(schema, value, path, problems);
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(path + ": must be an array, got " + kind(value));
                    return;
                }
                JsonNode items = schema.get("items");
                for (int i = 0; i < value.size(); i++) {
                    if (items != null) {
                        validate(items, value.get(i), path + "[" + i + "]", problems);
                    }
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(path + ": must be a string, got " + kind(value));
                    return;
                }
                JsonNode pattern = schema.get("pattern");
                if (pattern != null
                        && !Pattern.compile(pattern.asText())
                                .matcher(value.asText())
                                .find()) {
                    problems.add(path + ": '" + value.asText() + "' does not match " + pattern.asText());
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(path + ": must be an integer, got " + kind(value));
                    return;
                }
                checkBounds(schema, value, path, problems);
            }
            case "number" -> {
                if (!value.isNumber()) {
                    problems.add(path + ": must be a number, got " + kind(value));
                    return;
                }
                checkBounds(schema, value, path, problems);
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(path + ": must be a boolean, got " + kind(value));
                }
            }
            case "" -> {
                if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                    problems.add(path + ": schema declares no type");
                }
            }
            default -> problems.add(path + ": schema type '" + type + "' is not supported by this validator");
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && problems.stream().noneMatch(p -> p.startsWith(path + ":"))) {
            boolean found = false;
            for (JsonNode candidate : allowed) {
                found |= candidate.equals(value);
            }
            if (!found) {
                problems.add(path + ": " + value + " is not one of " + allowed);
            }
        }
    }

    private static void validateObject(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (!value.isObject()) {
            problems.add(path + ": must be an object, got " + kind(value));
            return;
        }
        boolean preserveUnknown =
                schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String fieldPath = path + "." + field.getKey();
            JsonNode propertySchema = properties.get(field.getKey());
            if (propertySchema != null) {
                validate(propertySchema, field.getValue(), fieldPath, problems);
            } else if (additional != null && additional.isObject()) {
                validate(additional, field.getValue(), fieldPath, problems);
            } else if (!preserveUnknown && !(additional != null && additional.asBoolean(false))) {
                problems.add(fieldPath + ": unknown field");
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                problems.add(path + "." + required.asText() + ": required field missing");
            }
        }
    }

    private static void checkBounds(JsonNode schema, JsonNode value, String path, List<String> problems) {
        JsonNode minimum = schema.get("minimum");
        if (minimum != null && value.asDouble() < minimum.asDouble()) {
            problems.add(path + ": " + value + " is less than the minimum " + minimum.asDouble());
        }
        JsonNode maximum = schema.get("maximum");
        if (maximum != null && value.asDouble() > maximum.asDouble()) {
            problems.add(path + ": " + value + " is more than the maximum " + maximum.asDouble());
        }
    }

    private static String kind(JsonNode value) {
        return value.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
