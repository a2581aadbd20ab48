package dev.skein.operator.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StructuralSchemaValidatorTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final String SCHEMA =
            """
            type: object
            properties:
              spec:
                type: object
                required: [replicas]
                properties:
                  replicas: {type: integer, minimum: 1.0, maximum: 9.0}
                  name: {type: string, pattern: "^[a-z]+$"}
                  mode: {type: string, enum: [fast, safe]}
                  ratio: {type: number}
                  enabled: {type: boolean}
                  port: {x-kubernetes-int-or-string: true}
                  config: {type: object, additionalProperties: {type: string}}
                  extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  tags: {type: array, items: {type: string}}
                  note: {type: string, nullable: true}
            """;

    @Test
    void acceptsAValidDocument() throws Exception {
        assertThat(
                        problems(
                                """
                        apiVersion: skein.dev/v1alpha1
                        kind: Thing
                        metadata: {name: x}
                        spec:
                          replicas: 3
                          name: abc
                          mode: safe
                          ratio: 0.5
                          enabled: true
                          port: http
                          config: {a: "1"}
                          extra: {anything: [1, {deep: true}]}
                          tags: [a, b]
                          note: null
                        """))
                .isEmpty();
    }

    @Test
    void rejectsWithThePathOfEveryViolation() throws Exception {
        assertThat(
                        problems(
                                """
                        spec:
                          replicas: 0
                          name: ABC
                          mode: turbo
                          ratio: fast
                          enabled: "yes"
                          port: 1.5
                          config: {a: 1}
                          tags: [a, 2]
                          colour: blue
                        statuz: {}
                        """))
                .containsExactlyInAnyOrder(
                        ".spec.replicas: 0 is less than the minimum 1.0",
                        ".spec.name: 'ABC' does not match ^[a-z]+$",
                        ".spec.mode: \"turbo\" is not one of [\"fast\",\"safe\"]",
                        ".spec.ratio: must be a number, got string",
                        ".spec.enabled: must be a boolean, got string",
                        ".spec.port: must be an integer or a string, got number",
                        ".spec.config.a: must be a string, got number",
                        ".spec.tags[1]: must be a string, got number",
                        ".spec.colour: unknown field",
                        ".statuz: unknown field");
    }

    @Test
    void reportsMissingRequiredFieldsAndWrongContainers() throws Exception {
        assertThat(problems("spec: {name: abc}\n")).containsExactly(".spec.replicas: required field missing");
        assertThat(problems("spec: [1]\n")).containsExactly(".spec: must be an object, got array");
        assertThat(problems("spec: {replicas: 10, tags: x}\n"))
                .containsExactlyInAnyOrder(
                        ".spec.replicas: 10 is more than the maximum 9.0", ".spec.tags: must be an array, got string");
    }

    private static List<String> problems(String document) throws Exception {
        JsonNode schema = YAML.readTree(SCHEMA);
        List<String> problems =
                new ArrayList<>(StructuralSchemaValidator.validateResource(schema, YAML.readTree(document)));
        return problems;
    }
}
