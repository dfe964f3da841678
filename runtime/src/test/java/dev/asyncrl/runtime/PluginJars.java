package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** A user's plug-in as a user ships it: Java source compiled here (with javac) into a jar in a plug-ins folder. */
final class PluginJars {
  private PluginJars() {}

  /**
   * Compiles {@code source} (class {@code className}) against the test's class path into {@code plugins/<jar>}.
   *
   * @param service the interface to list the class under in {@code META-INF/services}, or null for none
   */
  static void build(Path work, Path plugins, String jar, String className, String source, Class<?> service)
      throws Exception {
    Path src = work.resolve("src/" + className.replace('.', '/') + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(work.resolve("classes-" + jar));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        src.toString());
    assertEquals(0, rc, "the plug-in compiles");
    Files.createDirectories(plugins);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(plugins.resolve(jar)));
         Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
      }
      if (service != null) {
        out.putNextEntry(new JarEntry("META-INF/services/" + service.getName()));
        out.write((className + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
