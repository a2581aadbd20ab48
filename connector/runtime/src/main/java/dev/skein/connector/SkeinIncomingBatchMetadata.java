package dev.skein.connector;

import java.util.List;

/** Per-record metadata of a {@code batch=true} message, in the order of the payload list. */
public record SkeinIncomingBatchMetadata(List<SkeinIncomingMetadata> records) {
    public SkeinIncomingBatchMetadata {
        records = List.copyOf(records);
    }
}
