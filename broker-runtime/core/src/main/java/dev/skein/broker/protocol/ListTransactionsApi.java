package dev.skein.broker.protocol;

import dev.skein.broker.txn.coordinator.TransactionState;
import dev.skein.broker.txn.coordinator.TransactionViews;
import dev.skein.broker.txn.coordinator.TransactionViews.ListFilter;
import dev.skein.broker.txn.coordinator.TransactionViews.TransactionListing;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsResponse;

/**
 * ListTransactions: the transactional ids this broker coordinates, filtered by state (unknown state names are echoed
 * back), producer id, minimum running time (v1) and an id regular expression (v2; an invalid one is INVALID_REQUEST).
 */
final class ListTransactionsApi implements ApiHandler {
    private final TransactionViews views;

    ListTransactionsApi(TransactionViews views) {
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        ListTransactionsRequestData data = ((ListTransactionsRequest) request).data();
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Set<String> states = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String state : data.stateFilters()) {
            (TransactionState.fromKafkaName(state) == null ? unknown : states).add(state);
        }
        response.setUnknownStateFilters(unknown);
        Pattern pattern;
        try {
            String regex = data.transactionalIdPattern();
            pattern = regex == null || regex.isEmpty() ? null : Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return CompletableFuture.completedFuture(
                    new ListTransactionsResponse(response.setErrorCode(Errors.INVALID_REQUEST.code())));
        }
        if (!unknown.isEmpty() && states.isEmpty()) {
            return CompletableFuture.completedFuture(new ListTransactionsResponse(response));
        }
        Map.Entry<Errors, List<TransactionListing>> listed = views.list(
                new ListFilter(states, new HashSet<>(data.producerIdFilters()), data.durationFilter(), pattern));
        List<ListTransactionsResponseData.TransactionState> result = new ArrayList<>();
        for (TransactionListing listing : listed.getValue()) {
            result.add(new ListTransactionsResponseData.TransactionState()
                    .setTransactionalId(listing.transactionalId())
                    .setProducerId(listing.producerId())
                    .setTransactionState(listing.state()));
        }
        return CompletableFuture.completedFuture(new ListTransactionsResponse(
                response.setErrorCode(listed.getKey().code()).setTransactionStates(result)));
    }
}
