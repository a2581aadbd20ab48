package dev.skein.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.network.RequestChannel;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

/** The dispatcher's failure containment for outcomes produced later, on threads that are not the network's. */
class RequestDispatcherTest {
    /** Records the single outcome of one request. */
    private static final class RecordingChannel implements RequestChannel {
        Send sent;
        String closeReason;
        Runnable closeAction;

        @Override
        public void send(Send response) {
            sent = response;
        }

        @Override
        public void noResponse() {}

        @Override
        public void close(String reason) {
            closeReason = reason;
        }

        @Override
        public void whenClosed(Runnable action) {
            closeAction = action;
        }

        @Override
        public String connectionId() {
            return "test";
        }

        @Override
        public InetAddress clientAddress() {
            return InetAddress.getLoopbackAddress();
        }
    }

    private final CompletableFuture<org.apache.kafka.common.requests.AbstractResponse> late = new CompletableFuture<>();
    private final RequestDispatcher dispatcher = new RequestDispatcher(
            new SupportedApis(Map.of(ApiKeys.METADATA, (context, request) -> late)), new BrokerMetrics(Time.SYSTEM));

    private RecordingChannel dispatchMetadata() {
        short version = 12;
        MetadataRequest request = MetadataRequest.Builder.allTopics().build(version);
        ByteBuffer frame = request.serializeWithHeader(new RequestHeader(ApiKeys.METADATA, version, "test", 7));
        RecordingChannel channel = new RecordingChannel();
        dispatcher.handle(frame, channel);
        return channel;
    }

    @Test
    void errorWhileEncodingALateResponseClosesTheConnection() {
        RecordingChannel channel = dispatchMetadata();
        assertThat(channel.sent).isNull();

        late.complete(new MetadataResponse(new MetadataResponseData(), (short) 12) {
            @Override
            public MetadataResponseData data() {
                throw new StackOverflowError("deeply nested response");
            }
        });

        assertThat(channel.closeReason).contains("StackOverflowError");
    }

    @Test
    void parkedRequestIsCancelledWhenItsConnectionCloses() {
        RecordingChannel channel = dispatchMetadata();
        assertThat(channel.closeAction).isNotNull();

        channel.closeAction.run();

        assertThat(late).isCancelled();
        assertThat(channel.sent).isNull();
        assertThat(channel.closeReason).isNull();
    }
}
