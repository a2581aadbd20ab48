package dev.skein.bench.sidebyside;

/**
 * One measured quantity of one workload, e.g. the produce rate of "acks=1, lz4, 16 partitions". {@code id} is
 * stable and machine-readable (the JSON key); {@code title} is the table row's text.
 */
record Metric(String id, String title, String unit, Better better, int decimals) {

    /** Which direction is good: decides nothing in the numbers, only how a reader should read the ratio. */
    enum Better {
        HIGHER("higher"),
        LOWER("lower");

        private final String text;

        Better(String text) {
            this.text = text;
        }

        String text() {
            return text;
        }
    }

    static Metric higher(String id, String title, String unit, int decimals) {
        return new Metric(id, title, unit, Better.HIGHER, decimals);
    }

    static Metric lower(String id, String title, String unit, int decimals) {
        return new Metric(id, title, unit, Better.LOWER, decimals);
    }
}
