package io.jdiag.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FindingsStoreTest {
    private static FindingEvent leak(String site, String route) {
        return new FindingEvent("leaks", "unclosed_resource", site).summary("x was never closed").route(route)
                .stack(List.of(site));
    }

    @Test
    void occurrencesAtOneSiteAreOneFindingWithACount() {
        FindingsStore store = new FindingsStore(10);
        List<String> recorded = new ArrayList<>();
        store.onRecord((d, k, o) -> recorded.add(d + "/" + k + "/" + o));
        for (int i = 0; i < 1000; i++) {
            store.record(leak("a.B.c(B.java:1)", i % 3 == 0 ? "GET /a" : "GET /b"));
        }
        store.record(leak("a.B.d(B.java:2)", null));
        List<Finding.Snapshot> s = store.snapshot();
        assertThat(s).hasSize(2);
        Finding.Snapshot big = s.stream().filter(f -> f.count == 1000).findFirst().orElseThrow();
        assertThat(big.route).isEqualTo("GET /b");
        assertThat(big.routes).containsEntry("GET /a", 334L).containsEntry("GET /b", 666L);
        assertThat(big.summaryWithCount()).isEqualTo("x was never closed (1000 times)");
        assertThat(recorded).hasSize(1001).allMatch("leaks/unclosed_resource/application"::equals);
    }

    @Test
    void boundedWithADroppedCount() {
        FindingsStore store = new FindingsStore(3);
        for (int i = 0; i < 10; i++) {
            store.record(leak("site" + i, null));
        }
        store.record(leak("site0", null)); // existing sites keep counting
        assertThat(store.snapshot()).hasSize(3);
        assertThat(store.dropped()).isEqualTo(7);
        assertThat(store.snapshot().stream().mapToLong(f -> f.count).sum()).isEqualTo(4);
    }

    @Test
    void idsAreStableAndDistinct() {
        assertThat(FindingsStore.id("leaks", "unclosed_resource", "s")).isEqualTo(FindingsStore.id("leaks", "unclosed_resource", "s"))
                .matches("[0-9a-f]{16}")
                .isNotEqualTo(FindingsStore.id("leaks", "unclosed_resource", "t"));
    }

    @Test
    void routesPerFindingAreBounded() {
        FindingsStore store = new FindingsStore(10);
        for (int i = 0; i < 100; i++) {
            store.record(leak("s", "GET /r" + i));
        }
        assertThat(store.snapshot().get(0).routes).hasSize(Finding.MAX_ROUTES);
        assertThat(store.snapshot().get(0).count).isEqualTo(100);
    }

    @Test
    void aFindingWithNoApplicationFrameIsLibraryInfoRankedLast() {
        Stacks.libraryPackages(List.of("org.springframework."));
        try {
            FindingsStore store = new FindingsStore(10);
            List<String> recorded = new ArrayList<>();
            store.onRecord((d, k, o) -> recorded.add(o));
            store.record(new FindingEvent("leaks", "unclosed_resource", "nested").summary("jar never closed")
                    .stack(List.of("java.util.zip.ZipFile.<init>(ZipFile.java:1)",
                            "org.springframework.boot.loader.jar.NestedJarFile.<init>(NestedJarFile.java:1)"))
                    .at(2000));
            store.record(leak("com.example.A.b(A.java:1)", null).at(1000));
            List<Finding.Snapshot> s = store.snapshot();
            assertThat(s).extracting(f -> f.origin).containsExactly(Finding.APPLICATION, Finding.LIBRARY);
            assertThat(s.get(1).severity).isEqualTo("info");
            assertThat(s.get(0).severity).isEqualTo("warning");
            assertThat(recorded).containsExactly(Finding.LIBRARY, Finding.APPLICATION);
        } finally {
            Stacks.libraryPackages(List.of());
        }
    }
}
