package dev.skein.broker.protocol;

/** Small helpers shared by the group API handlers. */
final class GroupApis {
    private GroupApis() {}

    /** The client host as Kafka reports it in DescribeGroups: {@code InetAddress.toString()}, e.g. "/127.0.0.1". */
    static String clientHost(RequestContext context) {
        return context.clientAddress() == null ? "" : context.clientAddress().toString();
    }
}
