package io.jdiag.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's implementation and its relocated dependencies from the {@code inst/} folder
 * of the agent jar, where classes are stored as {@code .classdata} so that no other class loader
 * can find them. The parent is the platform loader: JDK classes and the bootstrap hooks resolve
 * there, application classes never do, so the application can neither see nor break the agent,
 * and a detach can drop the whole loader.
 *
 * <p>JDK classes only: this class is loaded by the system class loader.
 */
final class AgentClassLoader extends ClassLoader implements AutoCloseable {
    static final String PREFIX = "inst/";
    private static final String CLASS_SUFFIX = ".classdata";

    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final String jarUrl;
    private final ProtectionDomain domain;
    /** False where the bootstrap hooks are not on the bootstrap class path (the CLI's check-config). */
    private final boolean shieldHooks;

    /**
     * @param shieldHooks whether class loading marks the thread as inside the agent
     *                    ({@code io.jdiag.bootstrap.HookGuard}); requires the hooks on the bootstrap class path
     */
    AgentClassLoader(File agentJar, ClassLoader parent, boolean shieldHooks) throws IOException {
        super("jdiag", parent);
        this.shieldHooks = shieldHooks;
        this.jar = new JarFile(agentJar, false);
        URL location = agentJar.toURI().toURL();
        this.jarUrl = "jar:" + location + "!/";
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + CLASS_SUFFIX);
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        // Class loading happens on application threads too (the first call into a hook's sink). The
        // jar reads below must not re-enter a hook: the buffering detector watches readAllBytes.
        io.jdiag.bootstrap.HookGuard.Depth guard = shieldHooks ? io.jdiag.bootstrap.HookGuard.enterNested() : null;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        } finally {
            if (guard != null) {
                guard.exit();
            }
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException raced) {
                    // defined by a parallel loadClass of another class of this package
                }
            }
        }
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /** Maps {@code a/B.class} to {@code inst/a/B.classdata} and other resources to {@code inst/...}. */
    private static String entryName(String resource) {
        return resource.endsWith(".class")
                ? PREFIX + resource.substring(0, resource.length() - ".class".length()) + CLASS_SUFFIX
                : PREFIX + resource;
    }

    @Override
    protected URL findResource(String name) {
        if (jar.getJarEntry(entryName(name)) == null) {
            return null;
        }
        try {
            return new URL(jarUrl + entryName(name));
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }

    /**
     * Reads our own entries straight from the open jar (Byte Buddy reads advice class files this
     * way), instead of through a {@code jar:} URL whose JDK-wide cache would keep the file open
     * after detach.
     */
    @Override
    public InputStream getResourceAsStream(String name) {
        JarEntry entry = jar.getJarEntry(entryName(name));
        if (entry != null) {
            try {
                return jar.getInputStream(entry);
            } catch (IOException e) {
                return null;
            }
        }
        return super.getResourceAsStream(name);
    }

    @Override
    public void close() throws IOException {
        jar.close();
    }
}
