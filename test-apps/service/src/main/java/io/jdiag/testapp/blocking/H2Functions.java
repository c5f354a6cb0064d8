package io.jdiag.testapp.blocking;

/** Java functions of the embedded H2 database, standing in for PostgreSQL's. */
public final class H2Functions {
    private H2Functions() {}

    /** {@code pg_sleep(seconds)}: the query takes that long, as on PostgreSQL. */
    public static int pgSleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
        return 0;
    }
}
