package io.bluegreen.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DynamoDB lock's README examples compile as written: the quickstart in bluegreen-dynamodb's
 * README ("3. The code", imports included), its {@code createTable} line, and the lock example of the
 * project README, each compiled with javac against this module's test classpath (bluegreen-core,
 * this module, the AWS SDK). Only what the text leaves to the reader is supplied: the router and the
 * two environments the example switches between, and for {@code createTable} the client.
 */
class DynamoDbReadmeExamplesCompileTest {

  private static final Path MODULE_README = Paths.get("README.md");
  private static final Path PROJECT_README = Paths.get("..", "README.md");
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @TempDir
  Path out;

  @Test
  void theModuleQuickstartCompilesAsWritten() throws IOException {
    String code = javaBlockAfter(MODULE_README, "### 3. The code", "DynamoDbRouteLock.builder(dynamo)");
    assertThat(code).as("the quickstart shows its imports").contains("import io.bluegreen.dynamodb.DynamoDbRouteLock;");
    assertCompiles("ModuleQuickstart", code, "Router router, Environment blue, Environment green");
  }

  @Test
  void theModuleCreateTableLineCompilesAsWritten() throws IOException {
    String code = javaBlockAfter(MODULE_README, "Or from Java, in a set-up step", "DynamoDbRouteLock.createTable(dynamo, \"bluegreen-locks\")");
    assertCompiles("ModuleCreateTable", quickstartImports() + code, "DynamoDbClient dynamo");
  }

  @Test
  void theProjectReadmeLockExampleCompilesAsWritten() throws IOException {
    String code = javaBlockAfter(PROJECT_README, "## One writer per route across machines", "DynamoDbRouteLock.builder(dynamo)");
    assertCompiles("ProjectReadmeLock", quickstartImports() + code, "Router router, Environment blue, Environment green");
  }

  @Test
  void aSnippetThatDoesNotCompileIsCaught() {
    // the check itself can fail: a builder method that does not exist
    String broken = quickstartImportsOrFail() + "RouteLock lock = DynamoDbRouteLock.builder(null).tableName(\"t\").leaseSeconds(30).build();\n";
    List<String> errors = compile("Broken", broken, "Router router");
    assertThat(errors).anySatisfy(e -> assertThat(e).contains("leaseSeconds"));
  }

  private String quickstartImportsOrFail() {
    try {
      return quickstartImports();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The import lines of the module quickstart, which the other examples rely on too. */
  private static String quickstartImports() throws IOException {
    String code = javaBlockAfter(MODULE_README, "### 3. The code", "DynamoDbRouteLock.builder(dynamo)");
    return code.lines().filter(l -> l.startsWith("import ")).collect(Collectors.joining("\n", "", "\n"));
  }

  /** The first java block after {@code heading} in {@code readme}, which must contain {@code mustContain}. */
  private static String javaBlockAfter(Path readme, String heading, String mustContain) throws IOException {
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int at = text.indexOf(heading);
    assertThat(at).as("%s has the section \"%s\"", readme, heading).isNotNegative();
    Matcher m = JAVA_BLOCK.matcher(text);
    assertThat(m.find(at)).as("a java block after \"%s\" in %s", heading, readme).isTrue();
    String block = m.group(1);
    assertThat(block).as("the java block after \"%s\" in %s", heading, readme).contains(mustContain);
    return block;
  }

  private void assertCompiles(String name, String code, String parameters) {
    List<String> errors = compile(name, code, parameters);
    assertThat(errors).as("javac on the README example %s:%n%s", name, code).isEmpty();
  }

  /** Compiles {@code code} (import lines, then statements) as the body of one method; returns javac's errors. */
  private List<String> compile(String name, String code, String parameters) {
    StringBuilder imports = new StringBuilder("import io.bluegreen.core.Environment;\nimport io.bluegreen.core.Router;\n");
    StringBuilder body = new StringBuilder();
    for (String line : code.lines().toList()) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    String source = "package readme;\n" + imports + "class " + name + " {\n  void run(" + parameters + ") throws Exception {\n"
        + body + "  }\n}\n";
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///readme/" + name + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's javac").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = List.of("-d", out.toString(), "-proc:none", "--release", "17",
          "-classpath", testClasspath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
      javac.getTask(new StringWriter(), files, diagnostics, options, null, List.of(file)).call();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        errors.add("line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
      }
    }
    return errors;
  }

  /** This JVM's class path, with a surefire manifest-only jar expanded into its Class-Path entries. */
  private static Set<Path> testClasspath() throws IOException {
    Set<Path> paths = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Paths.get(entry).toAbsolutePath();
      paths.add(p);
      if (p.getFileName().toString().startsWith("surefire") && p.toString().endsWith(".jar") && Files.isRegularFile(p)) {
        try (JarFile jar = new JarFile(p.toFile())) {
          Manifest manifest = jar.getManifest();
          String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
          if (classPath != null) {
            for (String ref : classPath.trim().split("\\s+")) {
              URI uri = p.getParent().toUri().resolve(ref);
              paths.add(Paths.get(uri));
            }
          }
        }
      }
    }
    return paths;
  }
}
