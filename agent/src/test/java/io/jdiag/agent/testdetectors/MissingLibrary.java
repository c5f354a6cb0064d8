package io.jdiag.agent.testdetectors;

/** Left out of the isolation test's jar on purpose (see {@link MissingLibraryDetector}). */
public final class MissingLibrary {
}
