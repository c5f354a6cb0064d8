package io.jdiag.agent.detector.http;

import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.RequestTimes;
import io.jdiag.agent.export.LatencyHistogram;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.HttpHooks;
import io.jdiag.bootstrap.RequestContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server half of the http detector. Application threads: route lookup, one entry in the
 * active-request map, one histogram record. Agent thread: worker-pool saturation checks.
 */
final class HttpServerAnalyzer implements HttpHooks.HttpSink {
    static final int MAX_ROUTES = 100;
    static final long SATURATION_CHECK_MILLIS = 1000;
    static final String ADVICE_SATURATION = "find what holds the workers (the stack above), bound it with a timeout, "
            + "or size the pool for the load; see docs/detectors.md#http";

    /** One request being served by a worker thread. */
    static final class Active {
        final String server;
        /** Read for its current value: a framework may name the template after the request started. */
        final RequestContext.Route route;
        final long startNanos;

        Active(String server, RequestContext.Route route, long startNanos) {
            this.server = server;
            this.route = route;
            this.startNanos = startNanos;
        }
    }

    /** All series of one route: one latency histogram per status code, created on first use. */
    static final class RouteSeries {
        final String server;
        final String method;
        final String template;
        final AtomicReferenceArray<LatencyHistogram> byStatus = new AtomicReferenceArray<>(600);

        RouteSeries(String server, String route) {
            this.server = server;
            this.method = RouteTemplates.method(route);
            this.template = RouteTemplates.template(route);
        }

        LatencyHistogram status(int status) {
            int i = status >= 100 && status < 600 ? status : 0;
            LatencyHistogram h = byStatus.get(i);
            if (h == null) {
                byStatus.compareAndSet(i, null, new LatencyHistogram());
                h = byStatus.get(i);
            }
            return h;
        }
    }

    private final RouteTemplates routes = new RouteTemplates(MAX_ROUTES);
    private final Map<String, Map<String, RouteSeries>> series = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> activeByServer = new ConcurrentHashMap<>();
    private final Map<Thread, Active> activeByThread = new ConcurrentHashMap<>();
    /** Worker pools by identity, weakly: a container stopped and collected drops out. Guarded by itself. */
    private final Map<Object, String> pools = Collections.synchronizedMap(new WeakHashMap<>());
    private final ClassValue<String> serverOfRequest = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> type) {
            String n = type.getName();
            return n.startsWith("org.eclipse.jetty.") ? "jetty"
                    : n.startsWith("org.apache.catalina.") || n.startsWith("org.apache.coyote.") ? "tomcat"
                    : n.startsWith("io.undertow.") ? "undertow" : "servlet";
        }
    };
    private final FindingsStore findings;
    private final RequestTimes requestTimes;
    private final WorkerPools workerPools = new WorkerPools();
    private final Map<Object, Long> lastStackMillis = new WeakHashMap<>();

    HttpServerAnalyzer(DetectorContext context) {
        this.findings = context.findings();
        this.requestTimes = context.requestTimes();
        new HttpMetrics(this).register(context.registry());
        context.every(SATURATION_CHECK_MILLIS, this::checkSaturation);
    }

    /** The servlet and Netty hook paths once, on this (throw-away) analyzer: {@code HttpDetector.warmUp}. */
    void warmUp() {
        Object request = new Object();
        RequestContext.Route route = servletRequest("GET", "", "/warmup/*", "/warmup", "/1");
        serverStarted(request, route, System.nanoTime());
        route.unmatched(frameworkRoute(route.method(), route.base(), null));
        route.template(frameworkRoute(route.method(), route.base(), "/{id}"));
        route.seal();
        serverReturned(request, route, System.nanoTime(), 200, false);
        RequestContext.Route.sealedCopy(route.value()).refinable();
        Object inFlight = nettyRequest("GET", "/warmup/1?q=1");
        route(inFlight).template(frameworkRoute("GET", "", "/warmup/{id}"));
        nettyWrite(inFlight, 200, false);
        nettyWrite(inFlight, -1, true);
        checkSaturation();
    }

    // ---- servlet ----

    @Override
    public RequestContext.Route servletRequest(String method, String contextPath, String mappingPattern,
                                               String servletPath, String pathInfo) {
        try {
            String route = routes.servlet(method, contextPath, mappingPattern, servletPath, pathInfo);
            return new RequestContext.Route(route, RouteTemplates.method(route),
                    RouteTemplates.servletBase(contextPath, mappingPattern, servletPath, pathInfo), true);
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public String frameworkRoute(String method, String base, String template) {
        try {
            return routes.framework(method, base, template);
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public String templateOf(Object frameworkModel) {
        return FrameworkTemplates.of(frameworkModel);
    }

    @Override
    public void serverStarted(Object request, RequestContext.Route route, long startNanos) {
        try {
            String server = serverOfRequest.get(request.getClass());
            activeByThread.put(Thread.currentThread(), new Active(server, route, startNanos));
            active(server).increment();
        } catch (Throwable ignored) {
            // never disturb the request
        }
    }

    @Override
    public void serverReturned(Object request, RequestContext.Route route, long startNanos, int status, boolean asyncStarted) {
        try {
            activeByThread.remove(Thread.currentThread());
            if (!asyncStarted) {
                finished(serverOfRequest.get(request.getClass()), route.value(), startNanos, status);
            }
        } catch (Throwable ignored) {
            // never disturb the request
        }
    }

    private void finished(String server, String route, long startNanos, int status) {
        active(server).decrement();
        long nanos = System.nanoTime() - startNanos;
        series(server, route).status(status).recordNanos(nanos);
        requestTimes.record(route, nanos);
    }

    private LongAdder active(String server) {
        return activeByServer.computeIfAbsent(server, s -> new LongAdder());
    }

    private RouteSeries series(String server, String route) {
        return series.computeIfAbsent(server, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(route, r -> new RouteSeries(server, r));
    }

    @Override
    public Object asyncListener(Class<?> listenerType, Object request, RequestContext.Route route, long startNanos) {
        try {
            String server = serverOfRequest.get(request.getClass());
            return Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType},
                    new AsyncCompletion(server, route, startNanos));
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * The {@code AsyncListener} of an async servlet request, implemented as a JDK proxy so the
     * agent needs no class in the application's class loader. Ends the timing once.
     */
    private final class AsyncCompletion implements InvocationHandler {
        private final String server;
        private final RequestContext.Route route;
        private final long startNanos;
        private final AtomicBoolean done = new AtomicBoolean();

        AsyncCompletion(String server, RequestContext.Route route, long startNanos) {
            this.server = server;
            this.route = route;
            this.startNanos = startNanos;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            try {
                switch (method.getName()) {
                    case "onComplete":
                    case "onError":
                    case "onTimeout":
                        if (done.compareAndSet(false, true)) {
                            int status = statusOf(args[0]);
                            finished(server, route.value(), startNanos,
                                    method.getName().equals("onComplete") ? status : Math.max(status, 500));
                        }
                        return null;
                    case "onStartAsync":
                        // a restarted async cycle drops its listeners unless they re-register
                        Object context = args[0].getClass().getMethod("getAsyncContext").invoke(args[0]);
                        for (Method m : context.getClass().getMethods()) {
                            if (m.getName().equals("addListener") && m.getParameterCount() == 1) {
                                m.invoke(context, proxy);
                                break;
                            }
                        }
                        return null;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    case "toString":
                        return "jdiag async timing of " + route;
                    default:
                        return null;
                }
            } catch (Throwable t) {
                return null;
            }
        }

        private int statusOf(Object asyncEvent) {
            try {
                Object response = asyncEvent.getClass().getMethod("getSuppliedResponse").invoke(asyncEvent);
                Object status = response.getClass().getMethod("getStatus").invoke(response);
                return (Integer) status;
            } catch (Throwable t) {
                return 200;
            }
        }
    }

    // ---- netty ----

    @Override
    public Object nettyRequest(String method, String uri) {
        try {
            active("netty").increment();
            String route = routes.uri(method, uri);
            return new HttpHooks.NettyInFlight(new RequestContext.Route(route, RouteTemplates.method(route), "", true),
                    System.nanoTime());
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public RequestContext.Route route(Object inFlight) {
        return inFlight instanceof HttpHooks.NettyInFlight ? ((HttpHooks.NettyInFlight) inFlight).route : null;
    }

    @Override
    public void nettyWrite(Object inFlight, int status, boolean last) {
        try {
            HttpHooks.NettyInFlight f = (HttpHooks.NettyInFlight) inFlight;
            if (status > 0) {
                f.status = status;
            }
            if (last) {
                f.route.seal();
                finished("netty", f.route.value(), f.startNanos, f.status);
            }
        } catch (Throwable ignored) {
            // never disturb the response
        }
    }

    // ---- worker pools ----

    @Override
    public void workerPool(Object pool, String poolClass) {
        try {
            pools.put(pool, WorkerPoolInstrumentation.server(poolClass));
        } catch (Throwable ignored) {
            // gauges are best effort
        }
    }

    /** Snapshot of every registered pool, read reflectively (the agent cannot see container classes). */
    List<WorkerPools.State> poolStates() {
        List<Map.Entry<Object, String>> copy;
        synchronized (pools) {
            copy = new ArrayList<>(pools.entrySet());
        }
        List<WorkerPools.State> out = new ArrayList<>();
        for (Map.Entry<Object, String> e : copy) {
            WorkerPools.State s = workerPools.read(e.getKey(), e.getValue());
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Agent thread: a pool with every worker busy and requests queued is saturated. */
    void checkSaturation() {
        List<Map.Entry<Object, String>> copy;
        synchronized (pools) {
            copy = new ArrayList<>(pools.entrySet());
        }
        for (Map.Entry<Object, String> e : copy) {
            WorkerPools.State s = workerPools.read(e.getKey(), e.getValue());
            if (s != null && s.saturated()) {
                findings.record(saturationFinding(e.getKey(), s));
            }
        }
    }

    private FindingEvent saturationFinding(Object pool, WorkerPools.State s) {
        long now = System.nanoTime();
        Map<String, long[]> byRoute = new LinkedHashMap<>(); // route -> {workers, oldest nanos}
        Thread sampleThread = null;
        String topRoute = null;
        for (Map.Entry<Thread, Active> a : activeByThread.entrySet()) {
            if (!a.getKey().getName().startsWith(s.threadPrefix)) {
                continue;
            }
            long[] v = byRoute.computeIfAbsent(a.getValue().route.value(), r -> new long[2]);
            v[0]++;
            v[1] = Math.max(v[1], now - a.getValue().startNanos);
        }
        List<Map.Entry<String, long[]>> ranked = new ArrayList<>(byRoute.entrySet());
        ranked.sort(Comparator.comparingLong((Map.Entry<String, long[]> r) -> r.getValue()[0]).reversed());
        StringBuilder routesText = new StringBuilder();
        for (Map.Entry<String, long[]> r : ranked) {
            if (routesText.length() > 0) {
                routesText.append(", ");
            }
            routesText.append(r.getKey()).append(" x").append(r.getValue()[0])
                    .append(String.format(" (oldest %.1f s)", r.getValue()[1] / 1e9));
        }
        if (!ranked.isEmpty()) {
            topRoute = ranked.get(0).getKey();
            for (Map.Entry<Thread, Active> a : activeByThread.entrySet()) {
                if (a.getValue().route.value().equals(topRoute) && a.getKey().getName().startsWith(s.threadPrefix)) {
                    sampleThread = a.getKey();
                    break;
                }
            }
        }
        // One stack of a worker on the busiest route says what the workers wait on; a stack dump
        // is a safepoint, so at most one per pool every 10 s.
        List<String> stack = Collections.emptyList();
        long nowMillis = System.currentTimeMillis();
        Long last = lastStackMillis.get(pool);
        if (sampleThread != null && (last == null || nowMillis - last >= 10_000)) {
            lastStackMillis.put(pool, nowMillis);
            Throwable holder = new Throwable();
            holder.setStackTrace(sampleThread.getStackTrace());
            stack = Stacks.frames(holder);
        }
        String summary = s.server + " worker pool " + s.name + " saturated: " + s.busy + "/" + s.max
                + " workers busy, " + s.queued + " requests queued"
                + (topRoute == null ? "" : "; " + topRoute + " holds " + byRoute.get(topRoute)[0] + " workers");
        return new FindingEvent("http", "worker_saturation", s.server + " " + s.name)
                .severity("critical")
                .summary(summary)
                .route(topRoute)
                .thread(sampleThread == null ? null : sampleThread.getName())
                .stack(stack)
                .advice(ADVICE_SATURATION)
                .detail("pool", s.name)
                .detail("busy", s.busy)
                .detail("max", s.max)
                .detail("queued", s.queued)
                .detail("routesOccupyingWorkers", routesText.toString());
    }

    // ---- for metrics ----

    Map<String, Map<String, RouteSeries>> series() {
        return series;
    }

    Map<String, LongAdder> activeByServer() {
        return activeByServer;
    }
}
