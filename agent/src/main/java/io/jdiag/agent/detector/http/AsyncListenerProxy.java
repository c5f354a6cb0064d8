package io.jdiag.agent.detector.http;

import io.jdiag.bootstrap.RequestContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code AsyncListener} (Jakarta or javax) of an async servlet request, implemented as a JDK
 * proxy so the agent needs no class in the application's class loader. Ends the request's timing
 * once: with the response's status on completion, at least 500 on an error or a timeout.
 */
final class AsyncListenerProxy implements InvocationHandler {
    /** Ends the request with its final status. */
    interface Completion {
        void finished(int status);
    }

    private final RequestContext.Route route;
    private final Completion completion;
    private final AtomicBoolean done = new AtomicBoolean();

    private AsyncListenerProxy(RequestContext.Route route, Completion completion) {
        this.route = route;
        this.completion = completion;
    }

    /** A listener of {@code listenerType} (an interface the request's loader sees). */
    static Object create(Class<?> listenerType, RequestContext.Route route, Completion completion) {
        return Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType},
                new AsyncListenerProxy(route, completion));
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
                        completion.finished(method.getName().equals("onComplete") ? status : Math.max(status, 500));
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

    /** The status of the event's response ({@code AsyncEvent.getSuppliedResponse().getStatus()}), 200 when unknown. */
    private static int statusOf(Object asyncEvent) {
        try {
            Object response = asyncEvent.getClass().getMethod("getSuppliedResponse").invoke(asyncEvent);
            Object status = response.getClass().getMethod("getStatus").invoke(response);
            return (Integer) status;
        } catch (Throwable t) {
            return 200;
        }
    }
}
