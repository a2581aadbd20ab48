package dev.skein.bench;

/**
 * Reading option values off a command line for the bench tools: each failure is an {@link IllegalArgumentException}
 * naming the option and, for a missing value, ending with the tool's usage line.
 */
public final class CommandLineValues {
    private CommandLineValues() {}

    /** {@code args[i]}, the value of option {@code name}; fails with {@code usage} when the line ends first. */
    public static String value(String[] args, int i, String name, String usage) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value; " + usage);
        }
        return args[i];
    }

    /** {@code text} as a long greater than zero. */
    public static long positiveLong(String text, String name) {
        try {
            long value = Long.parseLong(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive integer, got '" + text + "'", e);
        }
        throw new IllegalArgumentException(name + " must be a positive integer, got '" + text + "'");
    }

    /** {@code text} as an int greater than zero. */
    public static int positiveInt(String text, String name) {
        long value = positiveLong(text, name);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " is too large: " + text);
        }
        return (int) value;
    }
}
