package io.jdiag.agent.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Turns captured stacks into report frames and finds the "causing site" frame. */
public final class Stacks {
    /** Frames kept per finding; the report must stay bounded however deep the application's stacks are. */
    public static final int MAX_FRAMES = 64;

    private Stacks() {}

    /** {@code com.example.Foo.bar(Foo.java:42)}, without the module/loader prefix JDK 9+ adds. */
    public static String frame(StackTraceElement e) {
        String file = e.getFileName();
        String where = e.isNativeMethod() ? "Native Method"
                : file == null ? "Unknown Source"
                : e.getLineNumber() >= 0 ? file + ":" + e.getLineNumber() : file;
        return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
    }

    /** The frames of {@code captured}, without the agent's own frames at the top, at most {@link #MAX_FRAMES}. */
    public static List<String> frames(Throwable captured) {
        if (captured == null) {
            return Collections.emptyList();
        }
        StackTraceElement[] trace = captured.getStackTrace();
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < trace.length && isAgentFrame(trace[i])) {
            i++;
        }
        for (; i < trace.length && out.size() < MAX_FRAMES; i++) {
            out.add(frame(trace[i]));
        }
        return out;
    }

    /**
     * Packages of the libraries the detectors instrument or see in stacks — pools, clients, servers,
     * frameworks — whose frames are never the line a user fixes. Contributed by the detectors
     * ({@code Detector.libraryPackages()}) and set once by the core at start; read on the agent thread.
     */
    private static volatile String[] libraryPrefixes = new String[0];

    /** Sets the library prefixes (the core, at start; tests). */
    public static void libraryPackages(List<String> prefixes) {
        libraryPrefixes = prefixes.stream().distinct().toArray(String[]::new);
    }

    public static boolean isLibraryFrame(String frame) {
        for (String p : libraryPrefixes) {
            if (frame.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** A frame of the application's own code: neither the JDK's, the agent's nor a known library's. */
    public static boolean isApplicationFrame(String frame) {
        return !isPlatformFrame(frame) && !isLibraryFrame(frame);
    }

    /**
     * {@code library} when the stack has frames and none is the application's (a framework or JDK
     * internal: nothing the user can fix); {@code application} otherwise, also when there is no stack
     * to tell by.
     */
    public static String origin(List<String> frames) {
        if (frames == null || frames.isEmpty()) {
            return Finding.APPLICATION;
        }
        for (String f : frames) {
            if (isApplicationFrame(f)) {
                return Finding.APPLICATION;
            }
        }
        return Finding.LIBRARY;
    }

    /**
     * The first frame that belongs to the application rather than the JDK, the agent or a client
     * library: the line a user would fix. Falls back to the first non-JDK frame, then the first frame.
     */
    public static String site(List<String> frames) {
        String firstNonPlatform = null;
        for (String f : frames) {
            if (!isPlatformFrame(f)) {
                if (!isLibraryFrame(f)) {
                    return f;
                }
                if (firstNonPlatform == null) {
                    firstNonPlatform = f;
                }
            }
        }
        return firstNonPlatform != null ? firstNonPlatform : frames.isEmpty() ? "unknown" : frames.get(0);
    }

    /** {@code com.example.Foo.bar(Foo.java:42)} → {@code com.example.Foo.bar}. */
    public static String method(String frame) {
        int paren = frame.indexOf('(');
        return paren < 0 ? frame : frame.substring(0, paren);
    }

    /** {@code com.example.Foo$Inner.bar(Foo.java:42)} → {@code Foo$Inner.bar}: a method as a summary names it. */
    public static String shortMethod(String frame) {
        String m = method(frame);
        int dot = m.lastIndexOf('.');
        if (dot <= 0) {
            return m;
        }
        return m.substring(m.lastIndexOf('.', dot - 1) + 1);
    }

    /**
     * Where a finding happened, as its summary says it: the causing method and the route in flight,
     * {@code FilesServlet.readWithoutClose (GET /files/*)}; the method alone off a request; the route
     * alone when no stack was captured or the stack has no frame of the application's own (the
     * library's method is named only off a request); {@code fallback} when neither is known.
     *
     * @param site the causing frame ({@link #site}), or {@code null} without a stack
     */
    public static String where(String site, String route, String fallback) {
        // a library's frame (no frame of the application's own) is named only off a request
        boolean known = site != null && !site.isEmpty() && !"unknown".equals(site)
                && (route == null || isApplicationFrame(site));
        String method = known ? shortMethod(site) : null;
        if (method == null) {
            return route != null ? route : fallback;
        }
        return route != null ? method + " (" + route + ")" : method;
    }

    /** {@link #where(String, String, String)} of a stack's {@link #site}. */
    public static String where(List<String> frames, String route, String fallback) {
        return where(frames == null || frames.isEmpty() ? null : site(frames), route, fallback);
    }

    /** The agent's own packages; not {@code io.jdiag.} as a whole, which an application may use too. */
    static boolean isAgentClass(String className) {
        return className.startsWith("io.jdiag.agent.") || className.startsWith("io.jdiag.bootstrap.")
                || className.startsWith("io.jdiag.shaded.");
    }

    static boolean isAgentFrame(StackTraceElement e) {
        return isAgentClass(e.getClassName());
    }

    /** JDK or agent frame: never the line a user fixes. */
    public static boolean isPlatformFrame(String frame) {
        return frame.startsWith("java.") || frame.startsWith("javax.") || frame.startsWith("jdk.")
                || frame.startsWith("sun.") || frame.startsWith("com.sun.") || isAgentClass(frame);
    }
}
