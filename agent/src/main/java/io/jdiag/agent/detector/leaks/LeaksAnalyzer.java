package io.jdiag.agent.detector.leaks;

import io.jdiag.agent.core.IdentityWeakKey;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.LeaksHooks;
import io.jdiag.bootstrap.RequestContext;
import java.io.File;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The leaks logic, free of Byte Buddy so it is tested with plain objects.
 *
 * <p>Application threads ({@link #opened}, {@link #closed}): one weak reference and one
 * concurrent-map insert per open, one map removal per close, a stack only when sampled. Agent
 * thread ({@link #pollLeaks}): everything else — decoding stacks, grouping, findings.
 */
final class LeaksAnalyzer implements LeaksHooks.LeaksSink {
    static final String ADVICE = "close it on every path, e.g. with try-with-resources; see docs/detectors.md#leaks";

    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final ConcurrentHashMap<Object, TrackedResource> live = new ConcurrentHashMap<>(1024);
    /**
     * Wall clock in milliseconds, ticked by the agent thread: resource ages are shown in seconds,
     * and a clock read per open would cost more than the rest of the bookkeeping.
     */
    private volatile long coarseNowMillis = System.currentTimeMillis();
    /** The public API name per resource class, computed once per class instead of a string per open. */
    private static final ClassValue<String> API_NAMES = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> type) {
            return apiName(type.getName());
        }
    };
    private final LongAdder[] unsampledLeaks = new LongAdder[ResourceType.ALL.length];
    private final double sampleRate;
    private final int maxTracked;
    private final LeaksMetrics metrics;
    private final Consumer<FindingEvent> findings;

    LeaksAnalyzer(double sampleRate, int maxTracked, LeaksMetrics metrics, Consumer<FindingEvent> findings) {
        this.sampleRate = sampleRate;
        this.maxTracked = maxTracked;
        this.metrics = metrics;
        this.findings = findings;
        for (int i = 0; i < unsampledLeaks.length; i++) {
            unsampledLeaks[i] = new LongAdder();
        }
    }

    /** JDBC statements and result sets by the connection and statement that close them. */
    private final JdbcFamilies families = new JdbcFamilies(this::closed, r -> live.containsKey(r));

    @Override
    public void opened(Object resource, String typeLabel, Object target) {
        track(resource, typeLabel, target);
    }

    @Override
    public void openedBy(Object resource, String typeLabel, Object parent) {
        try {
            if (ResourceType.JDBC_STATEMENT.label.equals(typeLabel) && JdbcFamilies.createdByItsDriver(parent)) {
                return;
            }
            TrackedResource r = track(resource, typeLabel, null);
            if (r != null) {
                families.add(parent, r);
            }
        } catch (Throwable ignored) {
            // never disturb the application
        }
    }

    @Override
    public void closedWithChildren(Object resource) {
        closed(resource);
        try {
            families.closeChildren(resource);
        } catch (Throwable ignored) {
            // never disturb close()
        }
    }

    /** @return the live record of {@code resource} (new, or the one an earlier report made), or null */
    private TrackedResource track(Object resource, String typeLabel, Object target) {
        try {
            ResourceType type = ResourceType.of(typeLabel);
            if (type == null) {
                return null;
            }
            if (live.mappingCount() >= maxTracked) {
                metrics.untracked(type);
                return null;
            }
            TrackedResource r = new TrackedResource(resource, collected, type, API_NAMES.get(resource.getClass()),
                    describe(target), coarseNowMillis, Thread.currentThread().getName(), RequestContext.currentRoute());
            // Constructors that delegate to each other (FileOutputStream(String) -> (File, boolean))
            // each report the same object: the innermost one wins, the rest are no-ops.
            TrackedResource earlier = live.putIfAbsent(r, r);
            if (earlier == null) {
                metrics.opened(type);
                if (sampled()) {
                    r.openedAt = new Throwable("opened here");
                }
                return r;
            }
            r.clear();
            return earlier;
        } catch (Throwable ignored) {
            // never let tracking disturb the application's open()
            return null;
        }
    }

    @Override
    public void describe(Object resource, Object target) {
        try {
            TrackedResource r = live.get(new IdentityWeakKey.Lookup(resource));
            if (r != null) {
                r.description = describe(target);
            }
        } catch (Throwable ignored) {
            // description is best effort
        }
    }

    @Override
    public void closed(Object resource) {
        try {
            TrackedResource r = live.remove(new IdentityWeakKey.Lookup(resource));
            if (r != null) {
                // No clear() needed: out of the map, nothing references the record, and the collector
                // never enqueues a reference object that is itself unreachable.
                metrics.closed(r.type);
            }
        } catch (Throwable ignored) {
            // never disturb close()
        }
    }

    private boolean sampled() {
        return sampleRate >= 1.0 || (sampleRate > 0 && ThreadLocalRandom.current().nextDouble() < sampleRate);
    }

    /** Agent thread: advances the clock that stamps opened resources. */
    void tick() {
        coarseNowMillis = System.currentTimeMillis();
    }

    /** The public API a user would recognise for an implementation class. */
    static String apiName(String name) {
        switch (name) {
            case "sun.nio.ch.NioSocketImpl":
            case "java.net.SocksSocketImpl":
            case "java.net.PlainSocketImpl":
                return "Socket";
            case "sun.nio.ch.SocketChannelImpl":
                return "SocketChannel";
            case "sun.nio.ch.ServerSocketChannelImpl":
                return "ServerSocketChannel";
            case "sun.nio.ch.FileChannelImpl":
                return "FileChannel";
            // http_response: the object tracked is the one holding the connection
            case "org.apache.http.impl.execchain.ConnectionHolder":
            case "org.apache.hc.client5.http.impl.classic.InternalExecRuntime":
                return "CloseableHttpResponse";
            case "okhttp3.internal.connection.RealCall":
                return "okhttp3.Response";
            case "sun.net.www.http.HttpClient":
            case "sun.net.www.protocol.https.HttpsClient":
                return "HttpURLConnection response";
            default:
                int dot = name.lastIndexOf('.');
                return dot < 0 ? name : name.substring(dot + 1);
        }
    }

    /** A path or address: never content. */
    private static String describe(Object target) {
        if (target == null) {
            return null;
        }
        if (target instanceof File) {
            return ((File) target).getPath();
        }
        return target.toString();
    }

    /** Agent thread: reports every tracked resource the collector found unreachable and unclosed. */
    int pollLeaks() {
        int n = 0;
        Reference<?> ref;
        while ((ref = collected.poll()) != null) {
            TrackedResource r = (TrackedResource) ref;
            if (live.remove(r) == null) {
                continue; // closed concurrently
            }
            List<String> frames = r.openedAt == null ? Collections.emptyList() : Stacks.frames(r.openedAt);
            if (ClassLoaderResources.ownedByClassLoader(frames)) {
                // a class loader's jar, released by the loader or its cleaner by design: not a leak
                metrics.closed(r.type);
                continue;
            }
            metrics.leaked(r.type);
            n++;
            if (r.openedAt == null) {
                unsampledLeaks[r.type.ordinal()].increment();
                continue;
            }
            if (r.type == ResourceType.SOCKET && isKeepAliveSocket(frames)) {
                // HttpURLConnection's pooled socket: its leak is reported as the http_response that
                // held it; the socket's own opener may be an innocent earlier caller of the pool.
                continue;
            }
            String site = Stacks.site(frames);
            String where = Stacks.where(site, r.route, "unknown code");
            findings.accept(new FindingEvent("leaks", "unclosed_resource", r.type.label + " " + r.api + " " + site)
                    .summary(r.api + " opened in " + where + " was never closed")
                    .route(r.route)
                    .thread(r.thread)
                    .resource(r.type.label, r.description == null ? r.api : r.description)
                    .stack(frames)
                    .advice(ADVICE)
                    .detail("openSeconds", (System.currentTimeMillis() - r.openedMillis) / 1000.0)
                    .detail("site", site));
        }
        return n;
    }

    private static boolean isKeepAliveSocket(List<String> frames) {
        for (String f : frames) {
            if (f.startsWith("sun.net.www.http.HttpClient.openServer")) {
                return true;
            }
        }
        return false;
    }

    /** Warm-up only: enqueues the record of a tracked resource as the collector would, for {@link #pollLeaks}. */
    void collectedForWarmUp(Object resource) {
        TrackedResource r = live.get(new IdentityWeakKey.Lookup(resource));
        if (r != null) {
            r.enqueue();
        }
    }

    long unsampledLeaks(ResourceType t) {
        return unsampledLeaks[t.ordinal()].sum();
    }

    int liveCount() {
        return (int) Math.min(Integer.MAX_VALUE, live.mappingCount());
    }

    /** Long-open resources grouped by site, oldest first; class loaders' jars are left out ({@link ClassLoaderResources}). */
    List<LongOpenGroup> longOpen(long olderThanMillis, int limit) {
        long now = System.currentTimeMillis();
        Map<String, LongOpenGroup> groups = new LinkedHashMap<>();
        for (TrackedResource r : live.values()) {
            long age = now - r.openedMillis;
            if (age < olderThanMillis || r.get() == null) {
                continue;
            }
            List<String> frames = r.openedAt == null ? Collections.emptyList() : Stacks.frames(r.openedAt);
            if (isClassPathJar(r, frames)) {
                continue;
            }
            String site = frames.isEmpty() ? "(stack not sampled)" : Stacks.site(frames);
            String key = r.type.label + " " + r.api + " " + site;
            LongOpenGroup g = groups.get(key);
            if (g == null) {
                if (groups.size() >= 1000) {
                    continue;
                }
                g = new LongOpenGroup(r.type.label, r.api, site, r.route, r.description, frames);
                groups.put(key, g);
            }
            g.count++;
            g.oldestMillis = Math.max(g.oldestMillis, age);
        }
        List<LongOpenGroup> out = new ArrayList<>(groups.values());
        out.sort(Comparator.comparingLong((LongOpenGroup g) -> g.oldestMillis).reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** Class loaders' jars, and jars the JDK caches for jar: URLs (resources, getResource). */
    private static boolean isClassPathJar(TrackedResource r, List<String> frames) {
        return ClassLoaderResources.ownedByClassLoader(frames);
    }

    /** Resources open longer than the threshold, opened at one site. */
    static final class LongOpenGroup {
        final String type;
        final String api;
        final String site;
        final String route;
        final String example;
        final List<String> stack;
        long count;
        long oldestMillis;

        LongOpenGroup(String type, String api, String site, String route, String example, List<String> stack) {
            this.type = type;
            this.api = api;
            this.site = site;
            this.route = route;
            this.example = example;
            this.stack = stack;
        }
    }
}
