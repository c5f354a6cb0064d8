package io.jdiag.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the {@code pools} detector adds to a connection pool's hottest path: {@code getConnection()} and
 * {@code close()} on a HikariCP pool (over an in-memory H2 database, so no network is measured). With the
 * agent, the borrow is timed and recorded, the connection's hold is marked, and the return records how
 * long it was held.
 *
 * <p>The agent is not loaded here: {@link RunAll} forks this benchmark with and without {@code -javaagent}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HikariBorrowBenchmark {
    private HikariDataSource pool;

    @Setup
    public void startPool() {
        AgentCheck.verify();
        HikariConfig c = new HikariConfig();
        c.setPoolName("bench");
        c.setJdbcUrl("jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1");
        c.setMaximumPoolSize(4);
        c.setMinimumIdle(4);
        pool = new HikariDataSource(c);
    }

    @TearDown
    public void stopPool() {
        pool.close();
    }

    /** One borrow and its return; the returned proxy keeps the JIT from dropping either. */
    @Benchmark
    public Connection borrowReturn() throws SQLException {
        Connection c = pool.getConnection();
        c.close();
        return c;
    }
}
