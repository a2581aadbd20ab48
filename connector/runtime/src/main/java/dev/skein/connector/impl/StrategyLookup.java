package dev.skein.connector.impl;

import dev.skein.connector.commit.BuiltInCommitStrategies;
import dev.skein.connector.commit.CommitStrategy;
import dev.skein.connector.fault.BuiltInFailureStrategies;
import dev.skein.connector.fault.FailureStrategy;
import java.util.function.Function;

/**
 * Finds the strategy factories that the {@code commit-strategy} and {@code failure-strategy} attributes name. The
 * connector looks them up among CDI beans by {@code @Identifier}; {@link #builtIn()} knows only the built-ins (plain
 * Java, tests).
 *
 * @param commit the commit-strategy factory of a name, or null when there is none
 * @param failure the failure-strategy factory of a name, or null when there is none
 */
public record StrategyLookup(
        Function<String, CommitStrategy.Factory> commit, Function<String, FailureStrategy.Factory> failure) {

    /** The built-in strategies only. */
    public static StrategyLookup builtIn() {
        return new StrategyLookup(BuiltInCommitStrategies::named, BuiltInFailureStrategies::named);
    }

    /**
     * The factory {@code commit-strategy} names.
     *
     * @throws IllegalArgumentException naming the attribute, the built-ins and how to add a strategy
     */
    CommitStrategy.Factory commitFactory(String channel, String name) {
        CommitStrategy.Factory factory = commit.apply(name);
        if (factory == null) {
            throw unknown(channel, "commit-strategy", name, String.join(", ", BuiltInCommitStrategies.NAMES), "Commit");
        }
        return factory;
    }

    /**
     * The factory {@code failure-strategy} names.
     *
     * @throws IllegalArgumentException naming the attribute, the built-ins and how to add a strategy
     */
    FailureStrategy.Factory failureFactory(String channel, String name) {
        FailureStrategy.Factory factory = failure.apply(name);
        if (factory == null) {
            throw unknown(
                    channel, "failure-strategy", name, String.join(", ", BuiltInFailureStrategies.NAMES), "Failure");
        }
        return factory;
    }

    private static IllegalArgumentException unknown(
            String channel, String attribute, String name, String builtIns, String kind) {
        return new IllegalArgumentException("Channel " + channel + ": " + attribute + "=" + name + " is not one of "
                + builtIns + ", nor a " + kind + "Strategy.Factory bean annotated @Identifier(\"" + name + "\")");
    }
}
