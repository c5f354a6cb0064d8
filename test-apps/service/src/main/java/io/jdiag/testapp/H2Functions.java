package io.jdiag.testapp;

/** Java functions the test service declares in its embedded H2 database (H2 calls public methods of public classes only). */
public final class H2Functions {
    private H2Functions() {
    }

    /** {@code pg_sleep(seconds)} as PostgreSQL has it, for the slow queries of {@code /pools/*}. */
    public static void pgSleep(double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
    }
}
