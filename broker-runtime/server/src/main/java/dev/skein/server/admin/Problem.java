package dev.skein.server.admin;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}.
 *
 * @param type a URI naming the kind of problem ({@code about:blank} when the HTTP status says it all)
 * @param title short summary of the kind of problem
 * @param status the HTTP status code
 * @param detail what went wrong with this request, naming the field and the reason
 * @param kafkaError the Kafka error code name when the broker refused the operation, e.g. {@code
 *     TOPIC_ALREADY_EXISTS}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String kafkaError) {
    public static final String MEDIA_TYPE = "application/problem+json";
}
