package dev.skein.connector.impl;

import org.apache.kafka.common.errors.InvalidTopicException;

/**
 * Kafka's rule for topic names (1 to 249 characters of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}), checked
 * here because kafka-clients only offers it in an internal package.
 */
final class TopicNames {
    static final int MAX_LENGTH = 249;

    private TopicNames() {}

    /** @throws InvalidTopicException naming the problem when {@code name} is not a legal topic name */
    static void validate(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new InvalidTopicException("Topic name '" + name + "' is illegal");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidTopicException("Topic name '" + name + "' is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!legal) {
                throw new InvalidTopicException("Topic name '" + name + "' contains '" + c
                        + "'; only ASCII letters, digits, '.', '_' and '-' are legal");
            }
        }
    }
}
