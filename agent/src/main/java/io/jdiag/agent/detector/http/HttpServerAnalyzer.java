package io.jdiag.agent.detector.http;

import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.RequestTimes;
import io.jdiag.agent.export.LatencyHistogram;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.bootstrap.HttpHooks;
import io.jdiag.bootstrap.NettyChannel;
import io.jdiag.bootstrap.RequestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server half of the http detector, the sink of its hooks: servlet requests (timed on their
 * worker thread; async ones to completion by an {@link AsyncListenerProxy}), Netty requests (a
 * {@link NettyChannel} of requests in flight per channel), and the worker pools, whose saturation
 * {@link WorkerSaturation} checks. Application threads: route lookup, one entry in the
 * active-request map, one histogram record. Agent thread: the saturation checks.
 */
final class HttpServerAnalyzer implements HttpHooks.HttpSink {
    static final int MAX_ROUTES = 100;
    static final long SATURATION_CHECK_MILLIS = 1000;

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
    /** The server of a request's class ({@link Servers}); a JDK type as the value, so a detach leaves no pin. */
    private final ClassValue<String> serverOfRequest = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> type) {
            return Servers.of(type.getName());
        }
    };
    private final FindingsStore findings;
    private final RequestTimes requestTimes;
    private final WorkerSaturation saturation;

    HttpServerAnalyzer(DetectorContext context) {
        this.findings = context.findings();
        this.requestTimes = context.requestTimes();
        this.saturation = new WorkerSaturation(findings, activeByThread);
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
        Object channel = nettyRequest(null, "GET", "/warmup/1?q=1");
        route(channel).template(frameworkRoute("GET", "", "/warmup/{id}"));
        nettyRequest(channel, "GET", "/warmup/2");
        nettyWrite(channel, 100, true);
        nettyWrite(channel, 200, false);
        nettyWrite(channel, -1, true);
        nettyClosed(channel);
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
            return AsyncListenerProxy.create(listenerType, route,
                    status -> finished(server, route.value(), startNanos, status));
        } catch (Throwable t) {
            return null;
        }
    }

    // ---- netty ----

    @Override
    public Object nettyRequest(Object channel, String method, String uri) {
        try {
            NettyChannel c = channel instanceof NettyChannel ? (NettyChannel) channel : new NettyChannel();
            String route = routes.uri(method, uri);
            if (c.add(new NettyChannel.InFlight(new RequestContext.Route(route, RouteTemplates.method(route), "", true),
                    System.nanoTime()))) {
                active("netty").increment();
            }
            return c;
        } catch (Throwable t) {
            return channel;
        }
    }

    @Override
    public RequestContext.Route route(Object channel) {
        NettyChannel.InFlight newest = channel instanceof NettyChannel ? ((NettyChannel) channel).newest() : null;
        return newest == null ? null : newest.route;
    }

    /**
     * A response part of the channel's oldest request. An interim response ({@code 1xx} other than
     * {@code 101 Switching Protocols}, after which the channel speaks another protocol) neither sets
     * the status nor, with its last part, ends the request.
     */
    @Override
    public boolean nettyWrite(Object channel, int status, boolean last) {
        try {
            NettyChannel c = (NettyChannel) channel;
            NettyChannel.InFlight f = c.oldest();
            if (f == null) {
                return true;
            }
            if (status > 0) {
                if (status < 200 && status != 101) {
                    f.interim = !last;
                    return false;
                }
                f.interim = false;
                f.status = status;
            }
            if (last) {
                if (f.interim) {
                    f.interim = false;
                    return false;
                }
                c.removeOldest();
                f.route.seal();
                finished("netty", f.route.value(), f.startNanos, f.status);
            }
            return c.size() == 0;
        } catch (Throwable ignored) {
            return false; // never disturb the response
        }
    }

    /**
     * The channel closed: its requests still in flight (the client went away mid-request, or before
     * the responses of its pipelined requests) are no longer active. Not recorded as requests: they
     * have no response and no status.
     */
    @Override
    public void nettyClosed(Object channel) {
        try {
            NettyChannel c = (NettyChannel) channel;
            while (c.removeOldest() != null) {
                active("netty").decrement();
            }
        } catch (Throwable ignored) {
            // never disturb the channel
        }
    }

    // ---- worker pools ----

    @Override
    public void workerPool(Object pool, String poolClass) {
        saturation.register(pool, poolClass);
    }

    List<WorkerPools.State> poolStates() {
        return saturation.states();
    }

    void checkSaturation() {
        saturation.check();
    }

    // ---- for metrics ----

    Map<String, Map<String, RouteSeries>> series() {
        return series;
    }

    Map<String, LongAdder> activeByServer() {
        return activeByServer;
    }
}
