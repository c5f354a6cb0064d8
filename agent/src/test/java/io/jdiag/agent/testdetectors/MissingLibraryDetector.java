package io.jdiag.agent.testdetectors;

/**
 * A detector whose class cannot even be loaded: {@link MissingLibrary} is left out of the jar the
 * isolation test builds, as a library class would be missing from an application.
 */
public final class MissingLibraryDetector extends BrokenDetector {
    private static final Object LIBRARY = new MissingLibrary();

    @Override
    public String name() {
        return "missing-library" + LIBRARY.hashCode();
    }
}
