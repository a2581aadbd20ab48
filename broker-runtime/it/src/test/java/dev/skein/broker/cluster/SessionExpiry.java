package dev.skein.broker.cluster;

import org.apache.curator.test.KillSession;

/** Test access to a store's ZooKeeper session, which production code outside {@code cluster} cannot reach. */
public final class SessionExpiry {
    private SessionExpiry() {}

    /** Expires the store's session at the server, as a long pause or partition would. */
    public static void expire(MetadataStore store) throws Exception {
        KillSession.kill(store.session().client().getZookeeperClient().getZooKeeper());
    }
}
