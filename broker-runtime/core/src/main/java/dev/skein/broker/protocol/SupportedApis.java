package dev.skein.broker.protocol;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * The APIs this broker implements and the version range of each, which is exactly what ApiVersions advertises. A
 * range is the pinned kafka-clients jar's whole range for the API (its generated classes parse every version),
 * except Produce, which is advertised from v0 as Apache Kafka 4.x does (KAFKA-18659): older librdkafka derives its
 * message-format support from the advertised Produce range. Produce v0-2 requests themselves are still refused.
 */
final class SupportedApis {
    static final String TRANSACTION_VERSION = "transaction.version";
    static final short TRANSACTION_VERSION_LEVEL = 2;

    private final Map<ApiKeys, ApiHandler> handlers;

    SupportedApis(Map<ApiKeys, ApiHandler> handlers) {
        this.handlers = Collections.unmodifiableMap(new EnumMap<>(handlers));
    }

    ApiHandler handler(ApiKeys key) {
        return handlers.get(key);
    }

    boolean supports(ApiKeys key, short version) {
        return key == ApiKeys.API_VERSIONS
                || (handlers.containsKey(key) && version >= key.oldestVersion() && version <= maxVersion(key));
    }

    /** The newest version served: the jar's. */
    private static short maxVersion(ApiKeys key) {
        return key.latestVersion();
    }

    ApiVersionsResponse apiVersionsResponse(Errors error) {
        ApiVersionCollection versions = new ApiVersionCollection();
        versions.add(advertised(ApiKeys.API_VERSIONS));
        handlers.keySet().forEach(key -> versions.add(advertised(key)));
        return new ApiVersionsResponse(new ApiVersionsResponseData()
                .setErrorCode(error.code())
                .setApiKeys(versions)
                .setThrottleTimeMs(0)
                .setSupportedFeatures(supportedFeatures())
                .setFinalizedFeatures(finalizedFeatures())
                .setFinalizedFeaturesEpoch(0));
    }

    /**
     * {@code transaction.version}: levels 0-2 supported and 2 finalized, as a new Kafka 4.x cluster: Kafka 4.x clients
     * use KIP-890 part 2 (EndTxn v5 bumps the epoch at every end, partitions are added by their leaders on produce v12+
     * and TxnOffsetCommit v5+, no AddPartitionsToTxn/AddOffsetsToTxn). Clients that do not know the feature keep the
     * version-1 flow, served side by side.
     */
    private static SupportedFeatureKeyCollection supportedFeatures() {
        SupportedFeatureKeyCollection features = new SupportedFeatureKeyCollection();
        features.add(new SupportedFeatureKey()
                .setName(TRANSACTION_VERSION)
                .setMinVersion((short) 0)
                .setMaxVersion(TRANSACTION_VERSION_LEVEL));
        return features;
    }

    private static FinalizedFeatureKeyCollection finalizedFeatures() {
        FinalizedFeatureKeyCollection features = new FinalizedFeatureKeyCollection();
        features.add(new FinalizedFeatureKey()
                .setName(TRANSACTION_VERSION)
                .setMinVersionLevel(TRANSACTION_VERSION_LEVEL)
                .setMaxVersionLevel(TRANSACTION_VERSION_LEVEL));
        return features;
    }

    private static ApiVersion advertised(ApiKeys key) {
        short min = key == ApiKeys.PRODUCE ? 0 : key.oldestVersion();
        return new ApiVersion().setApiKey(key.id).setMinVersion(min).setMaxVersion(maxVersion(key));
    }
}
