package io.jdiag.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventPipelineTest {
    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        EventPipeline p = new EventPipeline(4);
        List<Integer> handled = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < 10; i++) {
            int n = i;
            if (p.offer(() -> handled.add(n))) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(4);
        assertThat(p.dropped()).isEqualTo(6);
        assertThat(p.drain(100)).isEqualTo(4);
        assertThat(handled).containsExactly(0, 1, 2, 3);
        assertThat(p.offer(() -> handled.add(99))).isTrue();
    }

    @Test
    void aThrowingHandlerDoesNotStopTheOthers() {
        EventPipeline p = new EventPipeline(8);
        List<String> handled = new ArrayList<>();
        p.offer(() -> handled.add("a"));
        p.offer(() -> {
            throw new IllegalStateException("boom");
        });
        p.offer(() -> handled.add("c"));
        assertThat(p.drain(10)).isEqualTo(3);
        assertThat(handled).containsExactly("a", "c");
    }

    @Test
    void manyProducersOneConsumerLoseNothingButCountedDrops() throws Exception {
        EventPipeline p = new EventPipeline(1024);
        java.util.concurrent.atomic.LongAdder handled = new java.util.concurrent.atomic.LongAdder();
        Thread[] producers = new Thread[4];
        for (int t = 0; t < producers.length; t++) {
            producers[t] = new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    p.offer(handled::increment);
                }
            });
            producers[t].start();
        }
        boolean alive = true;
        while (alive) {
            p.drain(4096);
            alive = false;
            for (Thread t : producers) {
                alive |= t.isAlive();
            }
        }
        p.drain(Integer.MAX_VALUE);
        assertThat(handled.sum() + p.dropped()).isEqualTo(4 * 50_000L);
    }
}
