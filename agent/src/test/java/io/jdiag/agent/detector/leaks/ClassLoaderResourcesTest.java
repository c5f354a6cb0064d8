package io.jdiag.agent.detector.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.report.Stacks;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClassLoaderResourcesTest {
    @BeforeEach
    void frameworks() {
        Stacks.libraryPackages(Arrays.asList("org.springframework.", "org.eclipse.jetty."));
    }

    @AfterEach
    void reset() {
        Stacks.libraryPackages(Collections.emptyList());
    }

    /** The opening stack of the noise: Spring Boot's loader opening a nested jar of the application's own jar. */
    static final List<String> NESTED_JAR = Arrays.asList(
            "java.util.zip.ZipFile.<init>(ZipFile.java:180)",
            "java.util.jar.JarFile.<init>(JarFile.java:347)",
            "org.springframework.boot.loader.jar.NestedJarFile.<init>(NestedJarFile.java:141)",
            "org.springframework.boot.loader.net.protocol.jar.UrlNestedJarFile.<init>(UrlNestedJarFile.java:42)",
            "org.springframework.boot.loader.net.protocol.jar.UrlJarFileFactory.createJarFileForNested(UrlJarFileFactory.java:86)",
            "org.springframework.boot.loader.net.protocol.jar.JarUrlConnection.connect(JarUrlConnection.java:289)",
            "jdk.internal.loader.URLClassPath$Loader.getResource(URLClassPath.java:595)",
            "java.net.URLClassLoader.findClass(URLClassLoader.java:420)",
            "java.lang.ClassLoader.loadClass(ClassLoader.java:587)",
            "org.springframework.boot.loader.net.protocol.jar.JarUrlClassLoader.loadClass(JarUrlClassLoader.java:104)");

    @Test
    void springBootNestedJarsAreTheLoaders() {
        assertThat(ClassLoaderResources.ownedByClassLoader(NESTED_JAR)).isTrue();
    }

    @Test
    void aClassLoadTriggeredByApplicationCodeIsStillTheLoaders() {
        List<String> frames = new java.util.ArrayList<>(NESTED_JAR);
        frames.add("com.example.OrdersController.list(OrdersController.java:12)");
        assertThat(ClassLoaderResources.ownedByClassLoader(frames)).isTrue();
    }

    @Test
    void classPathJarsOfTheJdkLoadersAreTheLoaders() {
        assertThat(ClassLoaderResources.ownedByClassLoader(Arrays.asList(
                "java.util.zip.ZipFile.<init>(ZipFile.java:180)",
                "java.util.jar.JarFile.<init>(JarFile.java:347)",
                "jdk.internal.loader.URLClassPath$JarLoader.getJarFile(URLClassPath.java:815)",
                "jdk.internal.loader.BuiltinClassLoader.loadClass(BuiltinClassLoader.java:639)"))).isTrue();
    }

    @Test
    void anyClassLoadersOwnMethodsCount() {
        assertThat(ClassLoaderResources.ownedByClassLoader(Arrays.asList(
                "java.util.zip.ZipFile.<init>(ZipFile.java:180)",
                "org.eclipse.jetty.ee10.webapp.WebAppClassLoader.getResource(WebAppClassLoader.java:400)"))).isTrue();
    }

    @Test
    void aJarTheApplicationOpensIsItsOwnEvenDuringClassInitialisation() {
        assertThat(ClassLoaderResources.ownedByClassLoader(Arrays.asList(
                "java.util.zip.ZipFile.<init>(ZipFile.java:180)",
                "com.example.Archive.open(Archive.java:3)",
                "com.example.Archive.<clinit>(Archive.java:1)",
                "java.lang.ClassLoader.loadClass(ClassLoader.java:587)"))).isFalse();
    }

    @Test
    void aFrameworksOwnFileIsNotALoadersResource() {
        assertThat(ClassLoaderResources.ownedByClassLoader(Arrays.asList(
                "sun.nio.ch.FileChannelImpl.<init>(FileChannelImpl.java:100)",
                "java.nio.file.Files.newInputStream(Files.java:160)",
                "org.springframework.core.io.FileSystemResource.getInputStream(FileSystemResource.java:228)",
                "java.util.concurrent.FutureTask.run(FutureTask.java:264)"))).isFalse();
        assertThat(ClassLoaderResources.ownedByClassLoader(Collections.emptyList())).isFalse();
    }
}
