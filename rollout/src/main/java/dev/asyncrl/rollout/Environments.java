package dev.asyncrl.rollout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Where environment providers (and reward functions) come from: {@link ServiceLoader} over the class path and the
 * plug-in jars (the built-in multi-turn environments are found the same way), or a class named outright. Errors are
 * {@link IllegalArgumentException}s that say what was looked for and where. Closing it closes the plug-in
 * jars; classes already loaded keep working, so close it only after the last episode.
 */
public final class Environments implements AutoCloseable {

  private final ClassLoader loader;
  private final List<Path> jars;

  private Environments(ClassLoader loader, List<Path> jars) {
    this.loader = loader;
    this.jars = jars;
  }

  /** The class path, plus every {@code *.jar} in {@code plugins} when it is not null. */
  public static Environments from(Path plugins) {
    ClassLoader parent = Environments.class.getClassLoader();
    if (plugins == null) {
      return new Environments(parent, List.of());
    }
    if (!Files.isDirectory(plugins)) {
      throw new IllegalArgumentException(plugins + " is not a folder");
    }
    List<Path> jars;
    try (Stream<Path> files = Files.list(plugins)) {
      jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + plugins + ": " + e.getMessage(), e);
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException(jar + ": " + e.getMessage(), e);
      }
    }
    return new Environments(new URLClassLoader(urls.toArray(URL[]::new), parent), jars);
  }

  /** The provider whose {@link EnvironmentProvider#name} is {@code name}, if one is installed. */
  public Optional<EnvironmentProvider> byName(String name) {
    return providers().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The names of every installed provider. */
  public List<String> names() {
    return providers().stream().map(EnvironmentProvider::name).toList();
  }

  private List<EnvironmentProvider> providers() {
    List<EnvironmentProvider> found = new ArrayList<>();
    try {
      ServiceLoader.load(EnvironmentProvider.class, loader).forEach(found::add);
    } catch (ServiceConfigurationError e) {
      throw new IllegalArgumentException("a plug-in's provider list cannot be loaded: " + e.getMessage(), e);
    }
    return found;
  }

  /** A new instance of provider class {@code className}, by its public no-argument constructor. */
  public EnvironmentProvider byClass(String className) {
    return instance(className, EnvironmentProvider.class);
  }

  /** A new instance of class {@code className}, which must implement {@code type}, by its public no-argument constructor. */
  public <T> T instance(String className, Class<T> type) {
    Class<?> found;
    try {
      found = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("no class " + className + " on the class path" + where());
    } catch (LinkageError e) {
      throw new IllegalArgumentException("class " + className + " cannot be loaded: " + e);
    }
    if (!type.isAssignableFrom(found)) {
      throw new IllegalArgumentException(className + " does not implement " + type.getName());
    }
    try {
      return type.cast(found.getConstructor().newInstance());
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(className + " has no public no-argument constructor");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
      throw new IllegalArgumentException("constructing " + className + " threw " + cause);
    }
  }

  @Override
  public void close() {
    if (loader instanceof URLClassLoader plugins) {
      try {
        plugins.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the plug-in jars " + jars + ": " + e.getMessage(), e);
      }
    }
  }

  private String where() {
    return jars.isEmpty() ? "" : " or in " + jars.stream().map(p -> p.getFileName().toString()).toList();
  }
}
