package dev.skein.server.admin;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicDeletionDisabledException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.jboss.logging.Logger;

/**
 * Turns the Kafka exceptions the admin clients fail with into RFC 9457 problem responses: the broker's own message
 * becomes the {@code detail} (it names the field and the reason), the Kafka error name goes in {@code kafkaError}.
 * Client mistakes are 4xx; a broker that does not answer in time is 504; anything unexpected is 500 and logged.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<KafkaException> {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @Override
    public Response toResponse(KafkaException e) {
        Response.Status status = status(e);
        if (status == Response.Status.INTERNAL_SERVER_ERROR) {
            LOG.error("Admin request failed", e);
        }
        String kafkaError =
                e instanceof ApiException api ? Errors.forException(api).name() : null;
        return problem(status, e.getMessage(), kafkaError);
    }

    /** A problem response with {@code status} and {@code detail}. */
    public static Response problem(Response.StatusType status, String detail, String kafkaError) {
        String type = kafkaError == null
                ? "about:blank"
                : "https://skein.dev/problems/"
                        + kafkaError.toLowerCase(Locale.ROOT).replace('_', '-');
        return Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(new Problem(type, status.getReasonPhrase(), status.getStatusCode(), detail, kafkaError))
                .build();
    }

    /** A 400 problem for a request the admin API itself rejects before asking the broker. */
    public static WebApplicationException badRequest(String detail) {
        return new WebApplicationException(problem(Response.Status.BAD_REQUEST, detail, null));
    }

    /** A 409 problem for an operation the current state does not allow. */
    public static WebApplicationException conflict(String detail) {
        return new WebApplicationException(problem(Response.Status.CONFLICT, detail, null));
    }

    static Response.Status status(KafkaException e) {
        if (e instanceof InvalidTopicException
                || e instanceof InvalidPartitionsException
                || e instanceof InvalidReplicationFactorException
                || e instanceof InvalidReplicaAssignmentException
                || e instanceof InvalidConfigurationException
                || e instanceof InvalidRequestException
                || e instanceof PolicyViolationException
                || e instanceof RecordTooLargeException
                || e instanceof org.apache.kafka.clients.consumer.InvalidOffsetException) {
            return Response.Status.BAD_REQUEST;
        }
        if (e instanceof UnknownTopicOrPartitionException
                || e instanceof UnknownTopicIdException
                || e instanceof GroupIdNotFoundException) {
            return Response.Status.NOT_FOUND;
        }
        if (e instanceof TopicExistsException || e instanceof GroupNotEmptyException) {
            return Response.Status.CONFLICT;
        }
        if (e instanceof TopicDeletionDisabledException) {
            return Response.Status.FORBIDDEN;
        }
        if (e instanceof BrokerNotAvailableException) {
            return Response.Status.SERVICE_UNAVAILABLE;
        }
        if (e instanceof TimeoutException) {
            return Response.Status.GATEWAY_TIMEOUT;
        }
        return Response.Status.INTERNAL_SERVER_ERROR;
    }
}
