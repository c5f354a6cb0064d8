package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.report.Finding;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.bootstrap.RequestContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker_saturation finding from the requests a saturated pool's workers serve. */
class WorkerSaturationTest {
    private final FindingsStore store = new FindingsStore(100);
    private final Map<Thread, HttpServerAnalyzer.Active> active = new ConcurrentHashMap<>();
    private final WorkerSaturation saturation = new WorkerSaturation(store, active);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseWorkers() {
        release.countDown();
    }

    @Test
    void namesTheRoutesHoldingTheWorkersAndOneStackOfTheBusiestRoute() throws Exception {
        long now = System.nanoTime();
        Thread slow1 = worker("qtp-7", "GET /slow", now - 3_000_000_000L);
        worker("qtp-8", "GET /slow", now - 1_000_000_000L);
        worker("qtp-9", "GET /fast", now - 100_000_000L);
        worker("other-pool-1", "GET /elsewhere", now - 9_000_000_000L); // another pool's thread
        WorkerPools.State state = new WorkerPools.State("jetty", "qtp", "qtp", 3, 3, 0, 12);
        assertThat(state.saturated()).isTrue();

        Object pool = new Object();
        store.record(saturation.finding(pool, state, now, 100_000));
        Finding.Snapshot f = store.snapshot().get(0);
        assertThat(f.kind).isEqualTo("worker_saturation");
        // the sampled worker runs only JDK and agent (test) code: no application frame, so the store
        // ranks it as a library finding; a real worker's stack holds the application's handler
        assertThat(f.origin).isEqualTo("library");
        assertThat(f.summary).isEqualTo("jetty worker pool qtp saturated: 3/3 workers busy, 12 requests queued; GET /slow holds 2 workers");
        assertThat(f.route).isEqualTo("GET /slow");
        assertThat(f.details.get("routesOccupyingWorkers").toString())
                .isEqualTo("GET /slow x2 (oldest 3.0 s), GET /fast x1 (oldest 0.1 s)");
        assertThat(f.thread).startsWith("qtp-");
        assertThat(f.stack).as("a worker of the busiest route, parked in the test").anyMatch(s -> s.contains("CountDownLatch.await"));

        store.record(saturation.finding(pool, state, now, 100_000 + WorkerSaturation.STACK_EVERY_MILLIS - 1));
        assertThat(store.snapshot().get(0).count).as("the same finding again").isEqualTo(2);
        assertThat(slow1.isAlive()).isTrue();
    }

    @Test
    void aPoolWithIdleWorkersOrNothingQueuedIsNotSaturated() {
        assertThat(new WorkerPools.State("tomcat", "exec", "exec", 10, 10, 0, 0).saturated()).isFalse();
        assertThat(new WorkerPools.State("tomcat", "exec", "exec", 5, 10, 5, 3).saturated()).isFalse();
        assertThat(new WorkerPools.State("tomcat", "exec", "exec", 9, 10, 0, 3).saturated()).isTrue();
    }

    private Thread worker(String name, String route, long startNanos) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        started.await();
        active.put(t, new HttpServerAnalyzer.Active("jetty", new RequestContext.Route(route, "GET", "", true), startNanos));
        return t;
    }
}
