package io.jdiag.testtargets;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Classes for in-process instrumentation tests, outside the agent's own packages (which the
 * installer never instruments), with the counters their test advice bumps.
 */
public final class Targets {
    public static final AtomicInteger GOOD = new AtomicInteger();
    public static final AtomicInteger FLAKY = new AtomicInteger();

    private Targets() {}

    public static class Woven {
        public int value() {
            return 42;
        }
    }

    public static class FailsToWeave {
        public int value() {
            return 7;
        }
    }

    /** Declares no {@code value()}: a type an instrumentation matches with no method to advise. */
    public static class NoValue {
        public int other() {
            return 3;
        }
    }

    public static class Odd {
        public int value() {
            return 1;
        }
    }

    public static class Counted {
        public int value() {
            return 2;
        }
    }
}
