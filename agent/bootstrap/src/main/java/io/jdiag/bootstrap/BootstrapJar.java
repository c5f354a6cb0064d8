package io.jdiag.bootstrap;

/**
 * Which build of these hooks is on the bootstrap class path. The hooks are appended there once per
 * JVM and stay until it exits, detach or not; an agent of another build whose advice calls hook
 * methods these classes lack would fail inside the advice ({@code NoSuchMethodError}). So the agent
 * that appends the hooks records their fingerprint here, and a later attach compares its own with
 * it and refuses when they differ.
 */
public final class BootstrapJar {
    /** Set once, right after the jar is appended; null until then. */
    public static volatile String fingerprint;

    private BootstrapJar() {}
}
